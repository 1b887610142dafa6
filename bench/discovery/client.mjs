// The proxy side of the discovery benchmark: PROXIES DestinationDiscovery instances (one gRPC
// connection each, like that many sidecars), each watching WATCHES distinct random services. Driven
// by JSON lines on stdin like the control plane; exits when stdin closes.
import { createInterface } from 'node:readline';
import { DestinationDiscovery } from '../../dist/proxy/discovery/destination-client.js';
import { serviceName, rng, nowMs, cpuMeter } from './common.mjs';

const ADDR = process.env.BENCH_CP_ADDR;
const PROXIES = Number(process.env.BENCH_PROXIES ?? 100);
const WATCHES = Number(process.env.BENCH_WATCHES ?? 10);
const SERVICES = Number(process.env.BENCH_SERVICES ?? 1000);

const send = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);
const rand = rng(0x5eed);

const proxies = [];
const latencies = []; // ms, change stamped in the control plane -> listener called here
let received = 0;
let unstamped = 0;
let errors = 0;

const cpuSince = cpuMeter();

/** Starts every watch; resolves when every proxy holds the initial state of all its services. */
function sync() {
  return new Promise((resolve) => {
    const start = performance.now();
    const perProxy = [];
    let pending = PROXIES;
    for (let p = 0; p < PROXIES; p++) {
      const d = new DestinationDiscovery({
        addr: ADDR,
        contextToken: `{"ns":"bench","nodeName":"proxy-${p}"}`,
        onError: () => errors++,
      });
      const names = new Set();
      while (names.size < WATCHES) names.add(serviceName(Math.floor(rand() * SERVICES)));
      let waiting = names.size;
      for (const name of names) {
        let synced = false;
        d.watch(name, {
          add(endpoints) {
            if (!synced) {
              synced = true;
              if (--waiting === 0) {
                perProxy.push(performance.now() - start);
                if (--pending === 0) resolve({ allMs: performance.now() - start, perProxy });
              }
              return;
            }
            const at = nowMs();
            for (const e of endpoints) {
              const sent = e.labels.sent_at_ms;
              if (sent === undefined) unstamped++;
              else {
                received++;
                latencies.push(at - Number(sent));
              }
            }
          },
          remove() {},
          noEndpoints() {},
        });
      }
      proxies.push({ d, names: [...names] });
    }
  });
}

/** How many proxies watch each service: the runner turns the changes into expected deliveries. */
function watchers() {
  const counts = {};
  for (const { names } of proxies) for (const n of names) counts[n] = (counts[n] ?? 0) + 1;
  return counts;
}

createInterface({ input: process.stdin }).on('line', async (line) => {
  const req = JSON.parse(line);
  try {
    if (req.cmd === 'clock') send({ id: req.id, now: nowMs() });
    else if (req.cmd === 'sync') send({ id: req.id, ...(await sync()), watchers: watchers() });
    else if (req.cmd === 'cpu') send({ id: req.id, cpu: cpuSince() });
    else if (req.cmd === 'count') send({ id: req.id, received, unstamped, errors });
    else if (req.cmd === 'collect') send({ id: req.id, received, unstamped, errors, latencies });
    else send({ id: req.id, error: `unknown command ${req.cmd}` });
  } catch (err) {
    send({ id: req.id, error: String(err?.stack ?? err) });
  }
});
process.stdin.on('end', () => {
  for (const { d } of proxies) d.close();
  process.exit(0);
});

send({ ready: true });
