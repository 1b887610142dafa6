// What watching costs: two-hop mTLS throughput with a tap open and the controller scraping every
// second, against the same shape unwatched. The two run side by side and take turns under load
// (ABAB...), so a machine whose speed drifts during the run shifts both; the median ratio is the
// figure. `node bench/observed/run.mjs [--quick]` after `npm run build`.
import { writeFileSync } from 'node:fs';
import { BENCH, loomBenchContext } from '../lib/context.mjs';
import { h2load } from '../lib/h2load.mjs';
import { stop } from '../lib/procs.mjs';
import { writeSection } from '../lib/section.mjs';
import { runBench } from '../lib/entry.mjs';
import { wrk } from '../lib/wrk.mjs';
import { SERVICE } from '../shapes/loom.mjs';
import { loom2hopMtls } from '../shapes/loom-mtls.mjs';
import { loom2hopMtlsObserved } from '../shapes/loom-mtls-observed.mjs';
import { startGrpcUpstream, startHttpUpstream } from '../upstreams/start.mjs';

const QUICK = process.argv.includes('--quick');
const PLAN = { rounds: QUICK ? 2 : 10, seconds: QUICK ? 2 : 4, warmupS: QUICK ? 1 : 2 };
const HEADING = 'Observability overhead (tap + 1 s scraping)';
const log = (msg) => console.log(`[observed] ${msg}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function alternate(name, load, unwatched, watched) {
  const ratios = [];
  const rps = { unwatched: [], watched: [] };
  await load(unwatched, PLAN.warmupS);
  await load(watched, PLAN.warmupS);
  for (let round = 0; round < PLAN.rounds; round++) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    const order = round % 2 === 0 ? ['unwatched', 'watched'] : ['watched', 'unwatched'];
    const got = {};
    for (const which of order) got[which] = await load(which === 'watched' ? watched : unwatched, PLAN.seconds);
    rps.unwatched.push(got.unwatched);
    rps.watched.push(got.watched);
    ratios.push(got.watched / got.unwatched);
    log(`  ${name} round ${round + 1}: unwatched ${got.unwatched.toFixed(0)} req/s, watched ${got.watched.toFixed(0)} req/s, ratio ${(got.watched / got.unwatched).toFixed(2)}`);
  }
  return { ratios, median: median(ratios), unwatched: median(rps.unwatched), watched: median(rps.watched) };
}

function render(machine, http, grpc, notes) {
  const row = (name, r) => `| ${name} | ${r.unwatched.toFixed(0)} | ${r.watched.toFixed(0)} | **${r.median.toFixed(2)}x** | ${r.ratios.map((x) => x.toFixed(2)).join(', ')} | ${r.median >= 0.9 ? 'PASS' : 'FAIL'} |`;
  return `## ${HEADING}

Date: ${machine.date}. ${machine.cpuModel}, ${machine.nproc} cores, node ${machine.versions.node}${QUICK ? ' (--quick: a smoke test, not a measurement)' : ''}.
Two \`loom-2hop-mtls\` setups run at once: one unwatched, one with a \`loom tap\` of both proxies open
through a real \`loom controller\` (default 100 req/s of events) that also scrapes both proxies'
\`/metrics\` every second; the controller runs on the load generator's core (its CPU is in the notes). Load (wrk, 50 connections; h2load, 10 clients x 10 streams) goes to one, then
the other, ${PLAN.rounds} rounds of ${PLAN.seconds} s, the order swapped every round. Target: watched >= 0.9x unwatched.

| load | unwatched req/s (median) | watched req/s (median) | watched / unwatched (median) | per round | verdict |
| --- | --- | --- | --- | --- | --- |
${row('HTTP/1.1', http)}
${row('gRPC', grpc)}

${notes.map((n) => `- ${n}`).join('\n')}
`;
}

async function main() {
  const { ctx, machine } = loomBenchContext(log);
  const upstreams = { http: await startHttpUpstream(ctx), grpc: await startGrpcUpstream(ctx) };
  const notes = [];
  const results = {};
  for (const [kind, upstream, load] of [
    ['http', upstreams.http, async (inst, seconds) => (await wrk(ctx, { port: inst.port, host: SERVICE, seconds, connections: 50 })).rps],
    ['grpc', upstreams.grpc, async (inst, seconds) => (await h2load(ctx, { port: inst.port, authority: SERVICE, seconds })).rps],
  ]) {
    const unwatched = await loom2hopMtls.start(ctx, `${kind}-unwatched`, upstream.port);
    const watched = await loom2hopMtlsObserved.start(ctx, `${kind}-watched`, upstream.port);
    try {
      results[kind] = await alternate(kind, load, unwatched, watched);
      notes.push(...(await watched.finish()));
    } finally {
      for (const inst of [unwatched, watched]) for (const p of [...inst.proxies, ...(inst.aux ?? [])]) await stop(p.proc);
    }
  }
  for (const u of Object.values(upstreams)) await stop(u.proc);
  const md = render(machine, results.http, results.grpc, notes);
  console.log(`\n${md}`);
  if (QUICK) writeFileSync(`${ctx.work}/observed.partial.md`, md);
  else writeSection(`${BENCH}/RESULTS.md`, HEADING, md);
}

runBench('observed', main);
