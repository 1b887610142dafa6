// Measures one shape: an HTTP/1.1 instance (throughput, CPU, memory, fixed-rate latency), then a fresh
// gRPC instance (throughput, CPU). Each instance is stopped before the next starts.
import { setTimeout as sleep } from 'node:timers/promises';
import { processTree, cpuSeconds, coreBusySeconds, memory, stop } from './procs.mjs';
import { checkHttp, checkGrpc } from './check.mjs';
import { wrk } from './wrk.mjs';
import { h2load } from './h2load.mjs';
import { fixedRate } from './latency.mjs';
import { overMtls } from './mtls-counter.mjs';
import { SERVICE } from '../shapes/loom.mjs';

const pidsOf = (inst) => inst.proxies.flatMap((p) => processTree(p.proc.pid));
const perProxy = (inst, key) => inst.proxies.map((p) => memory(processTree(p.proc.pid))[key]);

/**
 * Runs `load` and returns its result plus the proxies' CPU over it, and how much of the proxy core
 * something else used meanwhile (the core is ours alone unless another user's processes land there).
 */
async function withCpu(ctx, inst, load) {
  const pids = pidsOf(inst);
  const cpu0 = cpuSeconds(pids);
  const core0 = coreBusySeconds(ctx.layout.proxies);
  const t0 = performance.now();
  const result = await load();
  const cpuS = cpuSeconds(pids) - cpu0;
  const coreS = coreBusySeconds(ctx.layout.proxies) - core0;
  const wallS = (performance.now() - t0) / 1000;
  return {
    ...result,
    cpuUsPerReq: inst.proxies.length > 0 ? (cpuS * 1e6) / result.requests : null,
    proxyCorePct: inst.proxies.length > 0 ? (cpuS / wallS) * 100 : null,
    foreignCorePct: (Math.max(0, coreS - cpuS) / wallS) * 100,
  };
}

function noteForeign(tp, what, notes) {
  if (tp.foreignCorePct > 5) notes.push(`${what}: other processes used ${tp.foreignCorePct.toFixed(0)}% of the proxy core`);
}

async function stopInstance(inst, notes) {
  // What the shape checked about itself while it ran (the observed shape's tap and scrapes).
  if (inst.finish) notes.push(...(await inst.finish()));
  for (const p of inst.proxies) {
    const code = await stop(p.proc);
    if (p.label.startsWith('loom') && code !== 0) notes.push(`${p.label} exited ${code} on SIGTERM`);
  }
  // Helpers that are not measured (the mTLS shape's controller).
  for (const p of inst.aux ?? []) await stop(p.proc);
}

async function measureHttp(ctx, shape, upstreamPort, plan, notes) {
  const inst = await shape.start(ctx, 'http', upstreamPort);
  try {
    await sleep(plan.settleMs);
    const idleRssKb = perProxy(inst, 'rssKb');
    await overMtls(inst, 'HTTP check', () => checkHttp(inst.port, SERVICE));
    const load = { port: inst.port, host: SERVICE, connections: plan.http.connections };
    await wrk(ctx, { ...load, seconds: plan.http.warmupS });
    const tp = await overMtls(inst, 'wrk', () => withCpu(ctx, inst, () => wrk(ctx, { ...load, seconds: plan.http.throughputS })));
    noteForeign(tp, 'wrk', notes);
    const errors = tp.non2xx + tp.socketErrors;
    if (errors > 0) notes.push(`wrk: ${tp.non2xx} non-2xx, ${tp.socketErrors} socket errors`);
    const latency = await fixedRate(ctx, { port: inst.port, host: SERVICE, ...plan.latency });
    if (latency.non2xx + latency.errors > 0) notes.push(`fixed-rate: ${latency.non2xx} non-2xx, ${latency.errors} errors`);
    return { ...tp, errors, latency, idleRssKb, peakRssKb: perProxy(inst, 'hwmKb'), labels: inst.proxies.map((p) => p.label) };
  } finally {
    await stopInstance(inst, notes);
  }
}

async function measureGrpc(ctx, shape, upstreamPort, plan, notes) {
  const inst = await shape.start(ctx, 'grpc', upstreamPort);
  try {
    await sleep(plan.settleMs);
    await overMtls(inst, 'gRPC check', () => checkGrpc(inst.port, SERVICE));
    const load = { port: inst.port, authority: SERVICE, clients: plan.grpc.clients, streams: plan.grpc.streams };
    await h2load(ctx, { ...load, seconds: plan.grpc.warmupS });
    const tp = await overMtls(inst, 'h2load', () => withCpu(ctx, inst, () => h2load(ctx, { ...load, seconds: plan.grpc.seconds })));
    noteForeign(tp, 'h2load', notes);
    if (tp.failed > 0 || tp.status2xx < tp.requests) notes.push(`h2load: ${tp.failed} failed, ${tp.requests - tp.status2xx} non-2xx`);
    return { ...tp, peakRssKb: perProxy(inst, 'hwmKb') };
  } finally {
    await stopInstance(inst, notes);
  }
}

export async function measureShape(ctx, shape, upstreams, plan, log) {
  const result = { name: shape.name, http: null, grpc: null, notes: [], error: null };
  try {
    log(`  ${shape.name}: HTTP/1.1 throughput and latency`);
    result.http = await measureHttp(ctx, shape, upstreams.http.port, plan, result.notes);
    if (shape.grpc === true) {
      log(`  ${shape.name}: gRPC unary throughput`);
      result.grpc = await measureGrpc(ctx, shape, upstreams.grpc.port, plan, result.notes);
    } else {
      result.grpc = { na: shape.grpc };
    }
  } catch (err) {
    result.error = err.message;
  }
  return result;
}
