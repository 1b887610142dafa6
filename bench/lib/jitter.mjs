// Measures how often the machine itself stalls a busy thread (vCPU preemption, interrupts): spins on
// setImmediate for a while and counts gaps over 1 ms. That is the noise floor under every p99 here.
// Usage: node jitter.mjs <seconds>; prints one JSON object.
import { run } from './procs.mjs';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

/** Runs this file pinned to `cpu` and returns { stallsPerSec, maxStallMs }. */
export async function measureJitter(cpu, seconds) {
  const out = await run(`jitter (CPU ${cpu})`, process.execPath, [SELF, String(seconds)], { cpu });
  if (out.code !== 0) throw new Error(`jitter probe exited ${out.code}: ${out.stderr}`);
  return { cpu, ...JSON.parse(out.stdout) };
}

function probe(seconds) {
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  let last = process.hrtime.bigint();
  let stalls = 0;
  let maxMs = 0;
  const spin = () => {
    const now = process.hrtime.bigint();
    const gapMs = Number(now - last) / 1e6;
    if (gapMs > 1) stalls++;
    if (gapMs > maxMs) maxMs = gapMs;
    last = now;
    if (now < end) return void setImmediate(spin);
    process.stdout.write(JSON.stringify({ stallsPerSec: stalls / seconds, maxStallMs: maxMs }) + '\n');
  };
  spin();
}

if (process.argv[1] === SELF) probe(Number(process.argv[2] ?? 2));
