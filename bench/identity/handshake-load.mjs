// Closed-loop mTLS handshake load: node handshake-load.mjs <target.json> <clients> <seconds>; prints one JSON line.
import { readFileSync } from 'node:fs';
import { percentiles } from '../lib/percentiles.mjs';
import { handshake } from './handshake.mjs';

const [targetFile, clients, seconds] = process.argv.slice(2);
const target = JSON.parse(readFileSync(targetFile, 'utf8'));
const CLIENTS = Number(clients);
const end = performance.now() + Number(seconds) * 1000;

const latencies = [];
const errors = new Map();
const cpu0 = process.cpuUsage();
const t0 = performance.now();

async function loop() {
  while (performance.now() < end) {
    const r = await handshake(target);
    if (r.answered) latencies.push(r.ms);
    else errors.set(r.error || 'closed without an answer', (errors.get(r.error || 'closed without an answer') ?? 0) + 1);
  }
}

await Promise.all(Array.from({ length: CLIENTS }, loop));
const wallS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const [p50, p99] = percentiles(latencies, [0.5, 0.99]);
process.stdout.write(JSON.stringify({
  handshakes: latencies.length,
  perSec: latencies.length / wallS,
  wallS,
  p50Ms: p50,
  p99Ms: p99,
  errors: Object.fromEntries(errors),
  clientCorePct: ((cpu.user + cpu.system) / 1e6 / wallS) * 100,
}) + '\n');
