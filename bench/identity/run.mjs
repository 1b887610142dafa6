// Identity and mTLS handshakes benchmark: `node bench/identity/run.mjs [--quick]` after `npm run build`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureTools } from '../lib/apt.mjs';
import { startController } from '../lib/controller.mjs';
import { LAYOUT } from '../lib/layout.mjs';
import { describeMachine, waitForQuiet } from '../lib/machine.mjs';
import { account, makeMeshTrust } from '../lib/mesh-trust.mjs';
import { freePort } from '../lib/ports.mjs';
import { coreBusySeconds, cpuSeconds, processTree, run, stop } from '../lib/procs.mjs';
import { writeSection } from '../lib/section.mjs';
import { runBench } from '../lib/entry.mjs';
import { loomMissing } from '../shapes/loom.mjs';
import { startMeshedLoom } from '../shapes/loom-mtls.mjs';
import { startHaproxyB } from '../shapes/haproxy-mtls.mjs';
import { handshake } from './handshake.mjs';
import { HEADING, render } from './report.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const BENCH = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const QUICK = process.argv.includes('--quick');
const PLAN = {
  handshake: { clients: 8, warmupS: QUICK ? 1 : 2, seconds: QUICK ? 3 : 10 },
  certify: { warmup: 20, sequential: QUICK ? 100 : 500, concurrent: QUICK ? 300 : 2000, callers: 16 },
};
const log = (msg) => console.log(`[identity] ${msg}`);

async function node(ctx, label, script, args) {
  const out = await run(label, process.execPath, [`${HERE}${script}`, ...args], { cpu: ctx.layout.loadgen });
  if (out.code !== 0) throw new Error(`${label} exited ${out.code}: ${out.stderr.trim()}`);
  return JSON.parse(out.stdout.trim().split('\n').pop());
}

/** Checks the server answers a valid client and refuses one without a certificate, then loads it. */
async function measureHandshakes(ctx, name, server, target) {
  const ok = await handshake(target);
  if (!ok.answered) throw new Error(`${name}: a client with a valid certificate got no answer (${ok.error || 'closed'})`);
  const anonymous = await handshake({ ...target, cert: undefined, key: undefined });
  if (anonymous.answered) throw new Error(`${name}: answered a client without a certificate; client certificates are not required`);
  const file = `${ctx.work}/tmp/${name}-target.json`;
  writeFileSync(file, JSON.stringify(target));
  const { clients, warmupS, seconds } = PLAN.handshake;
  await node(ctx, `${name} handshake warm-up`, 'handshake-load.mjs', [file, String(clients), String(warmupS)]);
  const busyBefore = await waitForQuiet({ log });
  const pids = processTree(server.proc.pid);
  const cpu0 = cpuSeconds(pids);
  const core0 = coreBusySeconds(ctx.layout.proxies);
  const t0 = performance.now();
  const r = await node(ctx, `${name} handshakes`, 'handshake-load.mjs', [file, String(clients), String(seconds)]);
  const cpuS = cpuSeconds(pids) - cpu0;
  const wallS = (performance.now() - t0) / 1000;
  // The server core is ours alone unless someone else's work lands there (the idle controller aside).
  const foreignPct = (Math.max(0, coreBusySeconds(ctx.layout.proxies) - core0 - cpuS) / wallS) * 100;
  log(`  ${name}: ${r.perSec.toFixed(0)} handshakes/s, server ${((cpuS / wallS) * 100).toFixed(0)} % of a core, client ${r.clientCorePct.toFixed(0)} %`);
  return { ...r, serverCorePct: (cpuS / wallS) * 100, serverUsPerHandshake: (cpuS * 1e6) / r.handshakes, foreignPct, busyBefore };
}

async function handshakes(ctx, trust, controller) {
  const client = await trust.leaf(account('bench-client'));
  const noApp = await freePort(); // nothing listens: a handshake never reaches the app
  const target = (port, servername) => ({ host: '127.0.0.1', port, servername, ca: trust.anchorPem, cert: client.certPem, key: client.keyPem });

  log('handshakes: Loom proxy inbound');
  const loomB = await startMeshedLoom(ctx, trust, controller, 'identity-loom-B', noApp);
  const loom = await measureHandshakes(ctx, 'loom-inbound', loomB, target(loomB.inbound, loomB.identity)).finally(() => stop(loomB.proc));

  log('handshakes: HAProxy hop B');
  const haproxyB = await startHaproxyB(ctx, trust, 'identity-haproxy-B', 'grpc', noApp);
  const haproxy = await measureHandshakes(ctx, 'haproxy-B', haproxyB, target(haproxyB.port, haproxyB.identity)).finally(() => stop(haproxyB.proc));
  return { loom, haproxy };
}

async function certify(ctx, trust, controller) {
  log(`Certify: ${PLAN.certify.sequential} sequential calls, then ${PLAN.certify.concurrent} from ${PLAN.certify.callers} concurrent callers`);
  const sa = account('bench-client');
  const file = `${ctx.work}/tmp/certify-load.json`;
  writeFileSync(file, JSON.stringify({
    ...PLAN.certify,
    repoRoot: ctx.repoRoot,
    addr: controller.addr,
    identity: trust.identityOf(sa),
    token: await trust.token(sa),
    controllerPids: processTree(controller.proc.pid),
  }));
  const busyBefore = await waitForQuiet({ log });
  const r = await node(ctx, 'certify-load', 'certify-load.mjs', [file]);
  log(`  p50 ${r.sequential.p50Ms.toFixed(2)} ms, p99 ${r.sequential.p99Ms.toFixed(2)} ms; ${r.concurrent.perSec.toFixed(0)} issuances/s with ${r.concurrent.callers} callers`);
  return { ...r, warmup: PLAN.certify.warmup, busyBefore };
}

async function main() {
  const ctx = { repoRoot: BENCH.replace(/\/bench$/, ''), layout: LAYOUT, work: `${BENCH}/work`, tools: null };
  const missing = loomMissing(ctx);
  if (missing) throw new Error(missing);
  ctx.tools = ensureTools(log);
  mkdirSync(`${ctx.work}/logs`, { recursive: true });
  mkdirSync(`${ctx.work}/tmp`, { recursive: true });
  const machine = describeMachine(ctx.tools, ctx.repoRoot);
  const haproxySsl = /Running on OpenSSL version : OpenSSL (\S+)/.exec(spawnSync(ctx.tools.haproxy, ['-vv'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? '?';
  machine.versions.openssl = `${process.versions.openssl} in node, ${haproxySsl} in HAProxy`;
  const layout = `Clients (handshake load, Certify callers) on CPU ${ctx.layout.loadgen}; servers (the Loom proxy, HAProxy, the controller) on CPU ${ctx.layout.proxies}.`;
  log(layout);

  const trust = await makeMeshTrust(ctx.repoRoot, `${ctx.work}/identity`);
  const controller = await startController(ctx, trust, 'identity-controller');
  let result;
  try {
    const hs = await handshakes(ctx, trust, controller);
    result = { ...hs, certify: await certify(ctx, trust, controller) };
  } finally {
    await stop(controller.proc);
  }

  const failed = [result.loom, result.haproxy].reduce((n, h) => n + Object.values(h.errors).reduce((a, b) => a + b, 0), 0) +
    Object.values(result.certify.errors).reduce((a, b) => a + b, 0);
  const md = render({ machine, layout, plan: PLAN, quick: QUICK, ...result });
  console.log(`\n${md}`);
  if (QUICK) {
    writeFileSync(`${ctx.work}/identity.partial.md`, md);
    log('wrote bench/work/identity.partial.md');
  } else {
    writeSection(`${BENCH}/RESULTS.md`, HEADING, md);
    log(`wrote the "${HEADING}" section of bench/RESULTS.md`);
  }
  if (failed > 0) {
    console.error(`[identity] ${failed} handshakes or calls failed (see the section)`);
    process.exitCode = 1;
  }
}

runBench('identity', main);
