// What traffic management costs: two-hop mTLS throughput with a client policy in force (a 10-route
// ServiceProfile and an HTTPRoute whose matched rule splits 50/50, retries and times out) against the
// same mesh with no policy. The meshes run side by side and take turns under load, the order rotated
// every round, so a machine whose speed drifts moves them all; the median ratio is the figure.
// `node bench/routed/run.mjs [--quick] [--rounds N] [--epochs E] [--seconds S] [--variants plain,routed,profile,split]
// [--protocols http,grpc] [--out FILE] after `npm run build`. BENCH_ROUTED_ROUNDS sets the rounds too.
import { writeFileSync } from 'node:fs';
import { BENCH, loomBenchContext } from '../lib/context.mjs';
import { checkGrpc, checkHttp } from '../lib/check.mjs';
import { h2load } from '../lib/h2load.mjs';
import { LAYOUT } from '../lib/layout.mjs';
import { waitForQuiet } from '../lib/machine.mjs';
import { coreBusySeconds, cpuSeconds, processTree, stop } from '../lib/procs.mjs';
import { writeSection } from '../lib/section.mjs';
import { runBench } from '../lib/entry.mjs';
import { wrk } from '../lib/wrk.mjs';
import { startGrpcUpstream, startHttpUpstream } from '../upstreams/start.mjs';
import { startRoutedMesh } from './mesh.mjs';
import { LOADS, LOGICAL, VARIANTS } from './policy.mjs';
import { judge, readCounters } from './proof.mjs';
import { HEADING, render } from './report.mjs';

const HOST = LOGICAL.replace(/:80$/, '');
const log = (msg) => console.log(`[routed] ${msg}`);

function parseArgs(argv) {
  const value = (name) => {
    const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
  };
  const quick = argv.includes('--quick');
  const rounds = Number(value('--rounds') ?? process.env.BENCH_ROUTED_ROUNDS ?? (quick ? 2 : 6));
  const epochs = Math.min(rounds, Number(value('--epochs') ?? (quick ? 1 : 3)));
  const seconds = Number(value('--seconds') ?? (quick ? 2 : 4));
  const variants = (value('--variants') ?? 'plain,routed,profile').split(',');
  const protocols = (value('--protocols') ?? 'http,grpc').split(',');
  const unknown = [...variants.filter((v) => !(v in VARIANTS)), ...protocols.filter((p) => !(p in LOADS))];
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(epochs) || epochs < 1 || !(seconds > 0) || unknown.length > 0 || variants[0] !== 'plain') {
    throw new Error(`usage: node routed/run.mjs [--quick] [--rounds N>=1] [--epochs E>=1] [--seconds S] [--variants plain,routed,profile,split (plain first)] [--protocols http,grpc] [--out FILE]${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
  }
  // Anything but the default run is a partial result: it does not replace the section in RESULTS.md.
  const partial = quick || ['--variants', '--seconds', '--protocols', '--out'].some((flag) => value(flag) !== undefined);
  return { quick, rounds, epochs, seconds, warmupS: quick ? 1 : 2, variants, protocols, partial, out: value('--out') };
}

/** Check requests until the client proxy counts one on the expected route: the policy arrives after the first request names the service. */
async function settle(mesh, kind, expect) {
  const check = () => (kind === 'http' ? checkHttp(mesh.port, HOST, LOADS.http.path) : checkGrpc(mesh.port, HOST, LOADS.grpc.path));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const before = await readCounters(mesh, LOGICAL);
    await check();
    const after = await readCounters(mesh, LOGICAL);
    const on = (c) => (expect.route === null ? [...c.routes.values()].reduce((a, b) => a + b, 0) : (c.routes.get(expect.route) ?? 0));
    if (expect.route === null && on(after) === 0) return;
    if (expect.route !== null && on(after) > on(before)) return;
    if (Date.now() > deadline) throw new Error(`${mesh.name}: after 15 s the client proxy still does not count requests on ${expect.route === null ? 'no route' : `rt_route="${expect.route}"`}; its policy is not the one this variant needs (logs in ${mesh.a.proc.logFile})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** One load of one mesh: its rate, each proxy's CPU over it, and the proof that it took its variant's path. */
async function loadOnce(ctx, kind, mesh, expect, seconds) {
  const [pidsA, pidsB] = [processTree(mesh.a.proc.pid), processTree(mesh.b.proc.pid)];
  const before = await readCounters(mesh, LOGICAL);
  const [a0, b0, core0, t0] = [cpuSeconds(pidsA), cpuSeconds(pidsB), coreBusySeconds(ctx.layout.proxies), performance.now()];
  const r = kind === 'http'
    ? await wrk(ctx, { port: mesh.port, host: HOST, path: LOADS.http.path, seconds, connections: 50 })
    : await h2load(ctx, { port: mesh.port, authority: HOST, path: LOADS.grpc.path, seconds });
  const wallS = (performance.now() - t0) / 1000;
  const [aS, bS, coreS] = [cpuSeconds(pidsA) - a0, cpuSeconds(pidsB) - b0, coreBusySeconds(ctx.layout.proxies) - core0];
  const errors = kind === 'http' ? r.non2xx + r.socketErrors : r.failed + (r.requests - r.status2xx);
  if (errors > 0 || r.requests === 0) throw new Error(`${mesh.name}: ${errors} failed or non-2xx requests of ${r.requests}; not reporting a load that failed`);
  const shares = judge(mesh.name, before, await readCounters(mesh, LOGICAL), r.requests, expect);
  return {
    rps: r.rps,
    requests: r.requests,
    shares,
    aPct: (aS / wallS) * 100,
    bPct: (bS / wallS) * 100,
    aUs: (aS * 1e6) / r.requests,
    bUs: (bS * 1e6) / r.requests,
    foreignPct: (Math.max(0, coreS - aS - bS) / wallS) * 100,
  };
}

/** Starts a fresh mesh for every variant and waits until each carries its policy. */
async function startMeshes(ctx, kind, upstreamPort, plan, epoch, pids) {
  const meshes = {};
  try {
    for (const v of plan.variants) {
      const mesh = await startRoutedMesh(ctx, `routed-${kind}-${v}-${epoch + 1}`, upstreamPort, VARIANTS[v].resources(LOADS[kind]));
      meshes[v] = { ...mesh, expect: VARIANTS[v].expect(LOADS[kind]) };
      pids[`${kind}-${v}-${epoch + 1}`] = { A: mesh.a.proc.pid, B: mesh.b.proc.pid };
      log(`${kind} ${v} (epoch ${epoch + 1}): A pid ${mesh.a.proc.pid}, B pid ${mesh.b.proc.pid}`);
      await settle(meshes[v], kind, meshes[v].expect);
    }
    return meshes;
  } catch (err) {
    await stopMeshes(meshes);
    throw err;
  }
}

async function stopMeshes(meshes) {
  for (const mesh of Object.values(meshes)) for (const p of [...mesh.proxies, ...mesh.aux]) await stop(p.proc);
}

/**
 * `rounds` rounds, each loading every mesh once. Every epoch starts fresh processes (a process's
 * JIT and heap can make it faster or slower for its whole life, which turns taking turns cannot
 * even out) and warms them; within it the order of the meshes changes every round.
 */
async function alternate(ctx, kind, upstreamPort, plan, pids) {
  const runs = Object.fromEntries(plan.variants.map((v) => [v, []]));
  const perEpoch = Math.ceil(plan.rounds / plan.epochs);
  for (let epoch = 0, round = 0; round < plan.rounds; epoch++) {
    const meshes = await startMeshes(ctx, kind, upstreamPort, plan, epoch, pids);
    try {
      for (const v of plan.variants) await loadOnce(ctx, kind, meshes[v], meshes[v].expect, plan.warmupS);
      for (let i = 0; i < perEpoch && round < plan.rounds; i++, round++) {
        // Rotated every two rounds and reversed every other round: with two variants each goes first half
        // the time; with three, six rounds run each of the six orders once.
        const order = plan.variants.map((_, j) => plan.variants[(j + Math.floor(round / 2)) % plan.variants.length]);
        if (round % 2 === 1) order.reverse();
        const got = {};
        for (const v of order) got[v] = await loadOnce(ctx, kind, meshes[v], meshes[v].expect, plan.seconds);
        for (const v of plan.variants) runs[v].push({ ...got[v], epoch });
        log(`  ${kind} round ${round + 1} (epoch ${epoch + 1}): ${plan.variants.map((v) => `${v} ${got[v].rps.toFixed(0)}${v === 'plain' ? '' : ` (${(got[v].rps / got.plain.rps).toFixed(2)}x)`}`).join(', ')} req/s`);
      }
    } finally {
      await stopMeshes(meshes);
    }
  }
  return runs;
}

async function main() {
  const plan = parseArgs(process.argv.slice(2));
  const { ctx, machine } = loomBenchContext(log);
  // A shared machine: give other people's work up to a minute to calm down, and say how busy it was.
  machine.busyBefore = await waitForQuiet({ log, maxWaitS: 60 });
  const upstreams = { http: await startHttpUpstream(ctx), grpc: await startGrpcUpstream(ctx) };
  const results = {};
  const pids = {};
  for (const kind of plan.protocols) results[kind] = await alternate(ctx, kind, upstreams[kind].port, plan, pids);
  for (const u of Object.values(upstreams)) await stop(u.proc);
  const expects = Object.fromEntries(Object.keys(results).map((kind) => [kind, Object.fromEntries(plan.variants.map((v) => [v, VARIANTS[v].expect(LOADS[kind])]))]));
  const md = render({ machine, plan: { ...plan, proxyCpu: LAYOUT.proxies }, results, loads: LOADS, expects });
  console.log(`\n${md}`);
  const requests = Object.fromEntries(Object.entries(results).flatMap(([kind, runs]) => Object.entries(runs).map(([v, list]) => [`${kind}-${v}`, list.reduce((n, r) => n + r.requests, 0)])));
  // A partial run keeps its raw numbers apart, so it never replaces a full run's.
  const json = `${ctx.work}/${plan.partial ? 'routed.partial.json' : 'routed.json'}`;
  writeFileSync(json, `${JSON.stringify({ machine, plan, pids, requests, results }, null, 1)}\n`);
  const out = plan.out ?? (plan.partial ? `${ctx.work}/routed.partial.md` : `${BENCH}/RESULTS.md`);
  if (out.endsWith('RESULTS.md')) writeSection(out, HEADING, md);
  else writeFileSync(out, md);
  log(`wrote ${out}; raw numbers in ${json}`);
}

runBench('routed', main);
