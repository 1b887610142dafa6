// Discovery at scale (issue 3): one control plane (EndpointIndex + GrpcApiServer) holding 1,000
// services x 10 endpoints, 100 proxies' DestinationDiscovery clients watching 10 services each, a
// steady endpoint churn. Measures change -> proxy propagation time, the full-sync time and the
// control plane's memory. `node bench/discovery/run.mjs [--quick]` (after `npm run build`).
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { nowMs, percentile } from './common.mjs';
import { writeSection } from '../lib/section.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const BENCH = fileURLToPath(new URL('..', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const QUICK = process.argv.includes('--quick');
const CPU_PROF = process.argv.includes('--cpu-prof');

const SERVICES = 1000;
const ENDPOINTS = 10;
const PROXIES = 100;
const WATCHES = 10;
const RATE = 200; // changes per second
const CHANGES = QUICK ? 500 : 2000;

const log = (msg) => console.log(`[discovery] ${msg}`);
const children = new Set();

function canPin() {
  if (os.cpus().length < 2) return false;
  return spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;
}
const PIN = canPin();

/** Starts a node child (pinned to `cpu` when possible) speaking JSON lines; resolves on its ready line. */
function startChild(name, script, cpu, env) {
  const nodeArgs = ['--expose-gc'];
  if (CPU_PROF) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${BENCH}work/discovery-prof`, `--cpu-prof-name=${name}.cpuprofile`);
  const cmd = PIN ? 'taskset' : process.execPath;
  const args = PIN ? ['-c', String(cpu), process.execPath, ...nodeArgs, script] : [...nodeArgs, script];
  const proc = spawn(cmd, args, { cwd: HERE, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(proc);
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const pending = new Map();
  let nextId = 1;
  let onReady;
  const ready = new Promise((resolve, reject) => {
    onReady = resolve;
    proc.once('exit', (code, sig) => {
      children.delete(proc);
      const err = new Error(`${name} exited (${code ?? sig}) ${stderr.trim()}`);
      reject(err);
      for (const p of pending.values()) p.reject(err);
    });
  });
  createInterface({ input: proc.stdout }).on('line', (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return void console.error(`[${name}] ${line}`);
    }
    if (msg.ready) return onReady(msg);
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(`${name}: ${msg.error}`));
    else p.resolve(msg);
  });
  const call = (cmd, extra = {}, timeoutMs = 30000) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const t = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${name}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => (clearTimeout(t), resolve(v)),
        reject: (e) => (clearTimeout(t), reject(e)),
      });
      proc.stdin.write(`${JSON.stringify({ id, cmd, ...extra })}\n`);
    });
  const stop = () =>
    new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
      proc.once('exit', () => (clearTimeout(t), resolve()));
      proc.stdin.end(); // the children exit when stdin closes (lets --cpu-prof write its file)
    });
  return { name, proc, ready, call, stop };
}

function killAll() {
  for (const p of children) p.kill('SIGKILL');
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

/** The child's clock minus ours, from a round trip (bounds how far the latency numbers can be off). */
async function clockOffset(child) {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 5; i++) {
    const t0 = nowMs();
    const { now } = await child.call('clock');
    const t1 = nowMs();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: now - (t0 + t1) / 2 };
  }
  return best;
}

const MB = (b) => (b / 1e6).toFixed(1);
const ms = (v) => (Number.isFinite(v) ? v.toFixed(2) : '-');
const pct = (c) => `${Math.round(c.core * 100)} %`;

async function main() {
  if (!existsSync(`${ROOT}dist/control/destination/server.js`)) throw new Error('dist/ is missing: run `npm run build` at the repository root first');
  const t0 = performance.now();
  log(`pinning: ${PIN ? 'control plane on CPU 1, proxies on CPU 0' : 'off (taskset or a second CPU missing)'}`);

  const cp = startChild('control-plane', `${HERE}control-plane.mjs`, 1, { BENCH_SERVICES: String(SERVICES), BENCH_ENDPOINTS: String(ENDPOINTS) });
  const { port, endpoints } = await cp.ready;
  const memLoaded = (await cp.call('mem')).mem;
  log(`control plane on 127.0.0.1:${port} with ${endpoints} endpoints; RSS ${MB(memLoaded.rss)} MB, heap ${MB(memLoaded.heapUsed)} MB`);

  const client = startChild('proxies', `${HERE}client.mjs`, 0, {
    BENCH_CP_ADDR: `127.0.0.1:${port}`,
    BENCH_PROXIES: String(PROXIES),
    BENCH_WATCHES: String(WATCHES),
    BENCH_SERVICES: String(SERVICES),
  });
  await client.ready;
  const cpClock = await clockOffset(cp);
  const clClock = await clockOffset(client);

  await Promise.all([cp.call('cpu'), client.call('cpu')]);
  const sync = await client.call('sync', {}, 30000);
  const [cpSyncCpu, clSyncCpu] = (await Promise.all([cp.call('cpu'), client.call('cpu')])).map((r) => r.cpu);
  const perProxy = sync.perProxy.sort((a, b) => a - b);
  const memStreams = await cp.call('mem');
  log(`full sync of ${PROXIES} proxies x ${WATCHES} services: ${ms(sync.allMs)} ms; ${memStreams.watchers} watchers on the control plane`);

  await new Promise((r) => setTimeout(r, 300)); // let the sync's garbage settle before churning
  await Promise.all([cp.call('cpu'), client.call('cpu')]);
  log(`churn: ${CHANGES} changes at ${RATE}/s`);
  const churn = await cp.call('churn', { count: CHANGES, rate: RATE }, 60000);
  const expected = Object.entries(churn.changed).reduce((n, [name, k]) => n + k * (sync.watchers[name] ?? 0), 0);
  const hitServices = Object.keys(churn.changed).filter((n) => sync.watchers[n]).length;
  const changesWatched = Object.entries(churn.changed).reduce((n, [name, k]) => n + (sync.watchers[name] ? k : 0), 0);
  let counts = await client.call('count');
  const drainStart = performance.now();
  while (counts.received < expected && performance.now() - drainStart < 5000) {
    await new Promise((r) => setTimeout(r, 50));
    counts = await client.call('count');
  }
  const [cpChurnCpu, clChurnCpu] = (await Promise.all([cp.call('cpu'), client.call('cpu')])).map((r) => r.cpu);
  const collected = await client.call('collect');
  const memChurn = await cp.call('mem');
  const lat = collected.latencies.sort((a, b) => a - b);

  await Promise.all([client.stop(), cp.stop()]);
  const totalS = (performance.now() - t0) / 1000;

  const r = {
    date: new Date().toISOString(),
    node: process.version,
    git: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() || '?',
    cpus: os.cpus().length,
    pin: PIN,
    quick: QUICK,
    syncMs: sync.allMs,
    syncP50: percentile(perProxy, 50),
    watchers: memStreams.watchers,
    changes: CHANGES,
    churnS: churn.durationMs / 1000,
    changesWatched,
    hitServices,
    expected,
    received: collected.received,
    unstamped: collected.unstamped,
    streamErrors: collected.errors,
    p50: percentile(lat, 50),
    p90: percentile(lat, 90),
    p99: percentile(lat, 99),
    max: lat.at(-1),
    mem: { loaded: memLoaded, streams: memStreams.mem, churn: memChurn.mem },
    cpu: { cpSync: cpSyncCpu, clSync: clSyncCpu, cpChurn: cpChurnCpu, clChurn: clChurnCpu },
    clock: { cp: cpClock, client: clClock },
    totalS,
  };
  const md = render(r);
  console.log(`\n${md}`);
  writeReport(md);
  if (r.received < r.expected) {
    console.error(`[discovery] ${r.expected - r.received} expected updates never arrived`);
    process.exitCode = 1;
  }
  if (CPU_PROF) log(`CPU profiles in ${BENCH}work/discovery-prof/`);
}

function render(r) {
  const m = r.mem;
  const skew = Math.abs(r.clock.cp.offset - r.clock.client.offset);
  return [
    '## Discovery at scale',
    '',
    `Written by \`node bench/discovery/run.mjs${r.quick ? ' --quick' : ''}\`. Date: ${r.date}. node ${r.node}; loom git ${r.git}; nproc ${r.cpus}.`,
    '',
    `Setup: one control-plane process (EndpointIndex + GrpcApiServer, h2c on 127.0.0.1${r.pin ? ', pinned to CPU 1' : ''}) holding`,
    `${SERVICES.toLocaleString('en')} services x ${ENDPOINTS} endpoints = ${(SERVICES * ENDPOINTS).toLocaleString('en')} endpoints (labels pod, namespace). One client process${r.pin ? ' (CPU 0)' : ''} runs`,
    `${PROXIES} DestinationDiscovery instances, each its own gRPC connection like ${PROXIES} sidecars, each watching ${WATCHES} distinct random`,
    `services (${r.watchers.toLocaleString('en')} Get streams): a real proxy watches only the services its app calls, not the whole mesh.`,
    `Churn: ${r.changes.toLocaleString('en')} changes at ${RATE}/s (${r.churnS.toFixed(1)} s), each replacing one endpoint of a random service with a new`,
    `address whose labels carry \`sent_at_ms\` (performance.timeOrigin + performance.now(), stamped just before setEndpoints).`,
    `Propagation = the proxy listener's receive time minus that stamp, over every (change, watching proxy) pair; changes to`,
    `services nobody watches are not counted. Cross-process clock skew measured by round trip: ${skew.toFixed(3)} ms.`,
    'Memory is the control plane\'s own process.memoryUsage() after a forced GC (MB = 10^6 bytes).',
    '',
    '| measure | value |',
    '| --- | --- |',
    `| full sync: all ${PROXIES} proxies hold the state of all ${WATCHES} services | ${ms(r.syncMs)} ms (median proxy ${ms(r.syncP50)} ms) |`,
    `| changes made / to watched services / services hit | ${r.changes} / ${r.changesWatched} / ${r.hitServices} |`,
    `| updates expected / received at proxies | ${r.expected} / ${r.received}${r.streamErrors ? ` (${r.streamErrors} stream errors)` : ''} |`,
    `| propagation p50 / p90 / p99 / max | ${ms(r.p50)} / ${ms(r.p90)} / ${ms(r.p99)} / ${ms(r.max)} ms |`,
    `| control plane RSS / heapUsed, 10k endpoints loaded, no streams | ${MB(m.loaded.rss)} / ${MB(m.loaded.heapUsed)} MB |`,
    `| control plane RSS / heapUsed, ${r.watchers.toLocaleString('en')} streams connected | ${MB(m.streams.rss)} / ${MB(m.streams.heapUsed)} MB |`,
    `| control plane RSS / heapUsed, after the churn | ${MB(m.churn.rss)} / ${MB(m.churn.heapUsed)} MB |`,
    `| CPU during full sync: control plane / proxies | ${pct(r.cpu.cpSync)} / ${pct(r.cpu.clSync)} of a core |`,
    `| CPU during churn: control plane / proxies | ${pct(r.cpu.cpChurn)} / ${pct(r.cpu.clChurn)} of a core |`,
    '',
    `Total run time ${r.totalS.toFixed(1)} s.`,
    '',
  ].join('\n');
}

/** Appends (or replaces) this benchmark's own section of RESULTS.md; --quick writes a partial file. */
function writeReport(md) {
  if (QUICK) {
    mkdirSync(`${BENCH}work`, { recursive: true });
    writeFileSync(`${BENCH}work/discovery.partial.md`, md);
    return log(`wrote bench/work/discovery.partial.md`);
  }
  writeSection(`${BENCH}RESULTS.md`, 'Discovery at scale', md);
  log('wrote the "Discovery at scale" section of bench/RESULTS.md');
}

main().catch((err) => {
  console.error(`[discovery] ERROR: ${err.stack ?? err}`);
  killAll();
  process.exit(1);
});
