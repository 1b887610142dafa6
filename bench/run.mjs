// Loom benchmark harness: runs every shape in one go and writes RESULTS.md. See `node run.mjs --help`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureTools } from './lib/apt.mjs';
import { parseArgs, USAGE, UsageError } from './lib/args.mjs';
import { LAYOUT, LAYOUT_WHY, describeLayout } from './lib/layout.mjs';
import { makePlan } from './lib/plan.mjs';
import { stopAll, killAllSync } from './lib/procs.mjs';
import { writeGrpcData } from './lib/h2load.mjs';
import { measureShape } from './lib/measure.mjs';
import { describeMachine, sampleBusy, waitForQuiet } from './lib/machine.mjs';
import { measureJitter } from './lib/jitter.mjs';
import { ratios, targets } from './lib/summary.mjs';
import { table, ratioLines, targetTable, writeResults } from './lib/report.mjs';
import { startHttpUpstream, startGrpcUpstream } from './upstreams/start.mjs';
import { SHAPES } from './shapes/all.mjs';
import { loomMissing } from './shapes/loom.mjs';

const BENCH = fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '');
const log = (msg) => console.log(`[bench] ${msg}`);

function fail(msg) {
  console.error(`[bench] ERROR: ${msg}`);
  process.exitCode = 1;
}

function prepareWorkDir() {
  const work = `${BENCH}/work`;
  rmSync(`${work}/logs`, { recursive: true, force: true });
  rmSync(`${work}/tmp`, { recursive: true, force: true });
  mkdirSync(`${work}/logs`, { recursive: true });
  mkdirSync(`${work}/tmp`, { recursive: true });
  return work;
}

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.error(`\n[bench] ${signal}: stopping every process the bench started`);
  await stopAll({ graceMs: 2000 });
  process.exit(130);
}

async function main() {
  const args = parseArgs(process.argv.slice(2), SHAPES.map((s) => s.name));
  if (args.help) return void console.log(USAGE);
  const shapes = args.only ? SHAPES.filter((s) => args.only.includes(s.name)) : SHAPES;
  const ctx = { repoRoot: BENCH.replace(/\/bench$/, ''), layout: LAYOUT, work: null, tools: null, grpcData: null };

  // The mTLS shapes all need dist/: their certificates are made with Loom's own modules.
  const wantsLoom = shapes.some((s) => s.name.startsWith('loom') || s.name.endsWith('-mtls'));
  const missing = wantsLoom ? loomMissing(ctx) : null;
  if (missing) return fail(`the Loom shapes cannot start: ${missing}`);

  ctx.tools = ensureTools(log);
  ctx.work = prepareWorkDir();
  ctx.grpcData = writeGrpcData(`${ctx.work}/grpc-request.bin`);
  const plan = makePlan(args);
  const machine = describeMachine(ctx.tools, ctx.repoRoot);
  log(`${describeLayout()}`);
  machine.busyBefore = await sampleBusy(1000);
  if (machine.busyBefore > 0.1) log(`WARNING: the machine was ${(machine.busyBefore * 100).toFixed(0)}% busy before the bench started; numbers will be noisy`);
  machine.jitter = await Promise.all([LAYOUT.loadgen, LAYOUT.proxies].map((cpu) => measureJitter(cpu, args.quick ? 1 : 2)));

  const upstreams = { http: await startHttpUpstream(ctx), grpc: await startGrpcUpstream(ctx) };
  log(`upstreams: nginx http on :${upstreams.http.port}, node grpc on :${upstreams.grpc.port}`);

  const results = [];
  for (const shape of shapes) {
    log(`shape ${shape.name}`);
    const busy = await waitForQuiet({ log });
    const r = await measureShape(ctx, shape, upstreams, plan, log);
    if (busy > 0.1) r.notes.push(`machine ${(busy * 100).toFixed(0)}% busy with other work before this shape`);
    if (r.error) log(`  ${shape.name} FAILED: ${r.error}`);
    results.push(r);
  }
  await stopAll();

  const ratioList = ratios(results);
  const targetList = targets(results, ratioList);
  console.log(`\n${table(results)}\n\nRatios (Loom / HAProxy):\n${ratioLines(ratioList)}\n\nTargets:\n${targetTable(targetList)}\n`);
  const full = !args.quick && !args.only;
  const out = args.out ?? (full ? `${BENCH}/RESULTS.md` : `${ctx.work}/RESULTS.partial.md`);
  writeResults(out, { machine, layout: describeLayout(), layoutWhy: LAYOUT_WHY, plan, args, results, ratioList, targetList });
  writeFileSync(`${ctx.work}/results.json`, JSON.stringify({ machine, plan, results, ratioList, targetList }, null, 2));
  log(`wrote ${out}, raw numbers in ${ctx.work}/results.json, logs in ${ctx.work}/logs`);

  const failed = results.filter((r) => r.error);
  if (failed.length > 0) fail(`${failed.length} shape(s) failed: ${failed.map((r) => r.name).join(', ')} (see above and ${ctx.work}/logs)`);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('exit', killAllSync);

main().catch(async (err) => {
  fail(err instanceof UsageError ? err.message : (err.stack ?? err.message));
  await stopAll({ graceMs: 2000 });
});
