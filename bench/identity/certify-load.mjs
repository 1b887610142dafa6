// Certify latency (sequential) and throughput (concurrent callers): node certify-load.mjs <config.json>; prints JSON.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { csrMaker } from '../lib/csr.mjs';
import { percentiles } from '../lib/percentiles.mjs';
import { cpuSeconds } from '../lib/procs.mjs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const dist = (path) => import(`${cfg.repoRoot}/dist/${path}`);
const [{ CertifyClient }, makeCsr] = await Promise.all([dist('proxy/identity/certify-client.js'), csrMaker(cfg.repoRoot)]);

const TIMEOUT_MS = 10_000;
const client = new CertifyClient(cfg.addr);
const token = new TextEncoder().encode(cfg.token);
const errors = new Map();

/** CSRs for `n` fresh keys, made before the clock starts: a call's latency is the controller's work. */
async function csrs(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push((await makeCsr(cfg.identity)).der);
  return out;
}

/** One call; its latency in ms, or NaN (counted by error message) when it failed. */
async function call(csr) {
  const t0 = performance.now();
  try {
    const issued = await client.certify(cfg.identity, token, csr, TIMEOUT_MS);
    if (issued.leafDer.length === 0) throw new Error('empty leaf certificate');
    return performance.now() - t0;
  } catch (err) {
    errors.set(err.message, (errors.get(err.message) ?? 0) + 1);
    return NaN;
  }
}

// A certificate the controller really issued for the identity asked for (checked once, off the clock).
const first = await client.certify(cfg.identity, token, (await csrs(1))[0], TIMEOUT_MS);
const san = new X509Certificate(first.leafDer).subjectAltName ?? '';
if (!san.includes(`DNS:${cfg.identity}`)) throw new Error(`the issued certificate names ${san}, not ${cfg.identity}`);

for (const csr of await csrs(cfg.warmup)) await call(csr);

const seqCsrs = await csrs(cfg.sequential);
const seq = [];
const seqCpu = cpuSeconds(cfg.controllerPids);
const seqStart = performance.now();
for (const csr of seqCsrs) seq.push(await call(csr));
const seqS = (performance.now() - seqStart) / 1000;
const seqCpuS = cpuSeconds(cfg.controllerPids) - seqCpu;

const pool = await csrs(cfg.concurrent);
const conc = [];
const concCpu = cpuSeconds(cfg.controllerPids);
const concStart = performance.now();
await Promise.all(Array.from({ length: cfg.callers }, async () => {
  for (let csr = pool.pop(); csr !== undefined; csr = pool.pop()) conc.push(await call(csr));
}));
const concS = (performance.now() - concStart) / 1000;
const concCpuS = cpuSeconds(cfg.controllerPids) - concCpu;

const okSeq = seq.filter(Number.isFinite);
const okConc = conc.filter(Number.isFinite);
const [p50, p95, p99, max] = percentiles(okSeq, [0.5, 0.95, 0.99, 1]);
const [cp50, cp99] = percentiles(okConc, [0.5, 0.99]);
process.stdout.write(`${JSON.stringify({
  sequential: { calls: seq.length, ok: okSeq.length, p50Ms: p50, p95Ms: p95, p99Ms: p99, maxMs: max, perSec: okSeq.length / seqS, controllerCpuMsPerCall: (seqCpuS * 1000) / seq.length },
  concurrent: { calls: conc.length, ok: okConc.length, callers: cfg.callers, seconds: concS, perSec: okConc.length / concS, p50Ms: cp50, p99Ms: cp99,
    controllerCpuMsPerCall: (concCpuS * 1000) / conc.length, controllerCorePct: (concCpuS / concS) * 100 },
  errors: Object.fromEntries(errors),
})}\n`);
process.exit(0);
