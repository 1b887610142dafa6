// The control-plane side of the discovery benchmark: an EndpointIndex loaded with SERVICES x
// ENDPOINTS endpoints, served by the real GrpcApiServer. Driven by JSON lines on stdin, answers with
// JSON lines on stdout ({ id, ... }). Exits when stdin closes, so it never outlives the runner.
import { createInterface } from 'node:readline';
import { EndpointIndex } from '../../dist/control/index/endpoint-index.js';
import { GrpcApiServer } from '../../dist/control/destination/server.js';
import { endpointFor, serviceName, rng, nowMs, cpuMeter } from './common.mjs';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 1000);
const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 10);

const send = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

const index = new EndpointIndex();
/** name -> the endpoint array last given to the index (we replace one entry per change). */
const current = new Map();
for (let s = 0; s < SERVICES; s++) {
  const name = serviceName(s);
  const eps = [];
  for (let e = 0; e < ENDPOINTS; e++) eps.push(endpointFor(s, `10.${s >> 8}.${s & 255}.${e + 1}`));
  current.set(name, eps);
  index.setEndpoints(name, eps);
}

const server = new GrpcApiServer(index);
const { port } = await server.listen('127.0.0.1', 0);

function memory() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, gc: Boolean(globalThis.gc) };
}

const cpuSince = cpuMeter();

let nextAddr = 1;
const rand = rng(0xd15c0);

/** `count` changes at `rate`/s, each stamped with its own send time; resolves with what changed. */
function churn(count, rate) {
  return new Promise((resolve) => {
    const changed = {};
    let done = 0;
    const start = performance.now();
    const tick = () => {
      const due = Math.min(count, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      while (done < due) {
        const s = Math.floor(rand() * SERVICES);
        const name = serviceName(s);
        const eps = current.get(name).slice();
        const c = nextAddr++;
        const addr = `10.${128 + ((c >> 16) & 127)}.${(c >> 8) & 255}.${c & 255}`;
        const slot = Math.floor(rand() * eps.length);
        eps[slot] = endpointFor(s, addr, { sent_at_ms: nowMs().toFixed(3) });
        current.set(name, eps);
        index.setEndpoints(name, eps);
        changed[name] = (changed[name] ?? 0) + 1;
        done++;
      }
      if (done < count) setTimeout(tick, 1);
      else resolve({ changed, durationMs: performance.now() - start });
    };
    tick();
  });
}

createInterface({ input: process.stdin }).on('line', async (line) => {
  const req = JSON.parse(line);
  try {
    if (req.cmd === 'clock') send({ id: req.id, now: nowMs() });
    else if (req.cmd === 'mem') send({ id: req.id, mem: memory(), watchers: index.watcherCount });
    else if (req.cmd === 'cpu') send({ id: req.id, cpu: cpuSince() });
    else if (req.cmd === 'churn') send({ id: req.id, ...(await churn(req.count, req.rate)) });
    else send({ id: req.id, error: `unknown command ${req.cmd}` });
  } catch (err) {
    send({ id: req.id, error: String(err?.stack ?? err) });
  }
});
process.stdin.on('end', () => process.exit(0));

send({ ready: true, port, services: SERVICES, endpoints: SERVICES * ENDPOINTS });
