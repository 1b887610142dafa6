// Open-loop fixed-rate HTTP/1.1 load generator. Request i is due at t0 + i/rate whatever happened to
// earlier requests, and its latency is measured from that due time, not from when it was actually
// written, so a stalled proxy cannot hide its stall (no coordinated omission).
// Usage: node fixed-rate.mjs <port> <host> <rate> <seconds> [warmupSeconds] [maxSockets]
// Prints one JSON object on stdout.
import http from 'node:http';
import { percentiles } from './percentiles.mjs';

const [port, host, rate, seconds, warmup = '1', maxSockets = '64'] = process.argv.slice(2);
const RATE = Number(rate);
const WARMUP = Math.round(Number(warmup) * RATE);
const TOTAL = WARMUP + Math.round(Number(seconds) * RATE);
const INTERVAL_NS = 1e9 / RATE;
const DRAIN_MS = 10_000;

const agent = new http.Agent({ keepAlive: true, maxSockets: Number(maxSockets) });
const options = { host: '127.0.0.1', port: Number(port), path: '/', agent, headers: { host } };
const latencyMs = new Float64Array(TOTAL - WARMUP);
const lagMs = new Float64Array(TOTAL - WARMUP);
let measured = 0;
let ok = 0;
let errors = 0;
let non2xx = 0;
let outstanding = 0;
let sent = 0;
const t0 = process.hrtime.bigint() + 10_000_000n;

function dueAt(i) {
  return t0 + BigInt(Math.round(i * INTERVAL_NS));
}

function send(i, due) {
  outstanding++;
  const lag = Number(process.hrtime.bigint() - due) / 1e6;
  const req = http.request(options, (res) => {
    res.on('data', () => {});
    res.on('end', () => {
      outstanding--;
      if (res.statusCode >= 200 && res.statusCode < 300) ok++;
      else non2xx++;
      if (i >= WARMUP) {
        latencyMs[measured] = Number(process.hrtime.bigint() - due) / 1e6;
        lagMs[measured] = lag;
        measured++;
      }
    });
  });
  req.on('error', () => {
    outstanding--;
    errors++;
  });
  req.end();
}

// Timers fire late by up to a millisecond, so the last stretch before a due time is spun with setImmediate
// (I/O still runs between spins). The generator shares its core with the upstreams only, never with a proxy.
function tick() {
  const now = process.hrtime.bigint();
  while (sent < TOTAL && dueAt(sent) <= now) {
    send(sent, dueAt(sent));
    sent++;
  }
  if (sent >= TOTAL) return drain(Date.now());
  const gapMs = Number(dueAt(sent) - now) / 1e6;
  if (gapMs > 2) setTimeout(tick, gapMs - 1.5);
  else setImmediate(tick);
}

function drain(since) {
  if (outstanding > 0 && Date.now() - since < DRAIN_MS) return void setTimeout(() => drain(since), 10);
  const lat = latencyMs.subarray(0, measured);
  const p = percentiles(lat, [0.5, 0.9, 0.99, 0.999, 1]);
  const lag = percentiles(lagMs.subarray(0, measured), [0.99]);
  const elapsedS = Number(process.hrtime.bigint() - dueAt(WARMUP)) / 1e9;
  process.stdout.write(JSON.stringify({
    rate: RATE,
    sent: TOTAL - WARMUP,
    measured,
    ok,
    non2xx,
    errors,
    unanswered: outstanding,
    achievedRps: measured / elapsedS,
    p50Ms: p[0], p90Ms: p[1], p99Ms: p[2], p999Ms: p[3], maxMs: p[4],
    sendLagP99Ms: lag[0],
  }) + '\n');
  agent.destroy();
  process.exit(0);
}

setTimeout(tick, 5);
