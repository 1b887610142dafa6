// The controller's `loom stat` numbers against the ground truth of a fixed-rate load generator, with
// real processes: one meshed server whose app fails every request to /fail, the controller scraping
// its proxy every second, and 50 req/s of which every 4th goes to /fail, sent to the server's proxy.
// The scenario runs once (before); each agreement the issue asks for is its own test.
//
// The store takes increase() between the first and last scrape inside [now - window, now], so two
// comparisons are honest without knowing when the scrapes happened:
// - rates, while the load is steady across the whole window: RPS within 5% (relative), success rate
//   within 5 percentage points (a share is read as a percentage, and a relative bound on it would be
//   tighter at high success than at low), p50 in the latency bucket of the generator's median;
// - exact counts, when the load starts and ends inside the window with quiet seconds (several
//   scrapes) on both sides: the increase then holds every response the generator received.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalMesh } from '../src/platform/local/local-mesh.js';
import { LATENCY_BUCKETS_MS } from '../src/proxy/metrics/index.js';
import { ensureBuilt, MAIN, ROOT } from './support/child.js';
import { FixedRateLoad, type Outcome } from './support/fixed-rate-load.js';
import { eventually } from './support/upstreams.js';

const SCRAPE_MS = 1000;
const RATE = 50;
/** Every 4th request fails: success is 75% in any window of the load. */
const FAIL_EVERY = 4;
/** Longer than the steady window plus a scrape on each side. */
const LOAD_MS = 13_000;
const STEADY_WINDOW_S = 10;
/** The app's answer time: inside the wide 50-100 ms latency bucket, with room for a loaded machine. */
const APP_DELAY_MS = 60;
/** Quiet time before the load: the count window starts in it, 3-4 s before the load. */
const QUIET_BEFORE_MS = 5000;
const QUIET_AFTER_MS = 3000;

const MESH = `apiVersion: v1
kind: Namespace
metadata:
  name: stat
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: server
  namespace: stat
---
apiVersion: v1
kind: Service
metadata:
  name: server
  namespace: stat
spec:
  selector:
    app: server
  ports:
    - name: http
      port: 80
      targetPort: 8080
      appProtocol: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: server
  namespace: stat
  labels:
    app: server
spec:
  replicas: 1
  selector:
    matchLabels:
      app: server
  template:
    metadata:
      labels:
        app: server
    spec:
      serviceAccountName: server
      containers:
        - name: server
          image: loom-test:latest
          command: ["node", "--import", "tsx", "test/support/status-app.ts"]
          env:
            - name: DELAY_MS
              value: "${APP_DELAY_MS}"
          ports:
            - name: http
              containerPort: 8080
`;

interface StatRow {
  name: string;
  requests: number;
  successRate?: number;
  rps?: number;
  latencyMs?: { p50?: number; p95?: number; p99?: number };
  meshed: { up: number; total: number };
}

interface Stat {
  row: StatRow;
  /** When the query was sent and answered: the controller's `now` lies between. */
  sentAt: number;
  answeredAt: number;
}

let mesh: LocalMesh;
let load: FixedRateLoad | undefined;
/** The stat over a window inside steady load, and what the generator saw in that window. */
let steady: Stat;
let inSteadyWindow: Outcome[];
/** The stat over a window holding the whole load, with quiet scrapes before and after it. */
let counted: Stat;
let countWindowS: number;

async function stat(windowS: number): Promise<Stat> {
  const sentAt = Date.now();
  const res = await fetch(`${mesh.controllerAdmin}/api/stat?namespace=stat&kind=workload&name=server&window=${windowS}s`);
  const answeredAt = Date.now();
  assert.equal(res.status, 200);
  const { rows } = (await res.json()) as { rows: StatRow[] };
  assert.equal(rows.length, 1, 'one row for the server workload');
  return { row: rows[0] as StatRow, sentAt, answeredAt };
}

before(async () => {
  await ensureBuilt();
  const stateDir = mkdtempSync(join(tmpdir(), 'loom-stat-accuracy-'));
  const file = join(stateDir, 'mesh.yaml');
  writeFileSync(file, MESH);
  mesh = new LocalMesh({
    files: [file],
    cwd: ROOT,
    stateDir,
    loomCommand: [process.execPath, MAIN],
    baseEnv: process.env,
    controllerPort: 0,
    scrapeIntervalMs: SCRAPE_MS,
  });
  await mesh.start();
  await eventually(() => mesh.replicas.every((r) => r.replica.status === 'ready'), 30_000, 'the server replica to be ready');
  const origin = `http://127.0.0.1:${mesh.replicas[0]?.inboundPort}`;
  await eventually(() => stat(2).then((s) => s.row.meshed.up === 1, () => false), 15_000, 'the controller to scrape the server proxy');

  // Both outcomes' series exist before any window below starts, so no increase misses a first count.
  const warmup = new FixedRateLoad(origin);
  await warmup.run({ rate: RATE, durationMs: 200, path: (i) => (i % 2 === 0 ? '/ok' : '/fail') });
  await warmup.close();
  assert.deepEqual([...new Set(warmup.outcomes.map((o) => o.status))].sort(), [200, 500], 'the app answers /ok with 200 and /fail with 500');
  const warmupEnd = Date.now();
  await sleep(QUIET_BEFORE_MS);

  const generator = (load = new FixedRateLoad(origin));
  const running = generator.run({ rate: RATE, durationMs: LOAD_MS, path: (i) => (i % FAIL_EVERY === FAIL_EVERY - 1 ? '/fail' : '/ok') });
  // The whole steady window lies inside the load, starting more than a scrape after the load did.
  await sleep(STEADY_WINDOW_S * 1000 + 1500);
  steady = await stat(STEADY_WINDOW_S);
  assert.ok(steady.answeredAt < generator.startedAt + LOAD_MS, `the steady query ran ${steady.answeredAt - generator.startedAt} ms into the ${LOAD_MS} ms load`);
  await running;
  const now = (steady.sentAt + steady.answeredAt) / 2;
  inSteadyWindow = generator.between(now - STEADY_WINDOW_S * 1000, now);
  assert.equal(generator.sent, (RATE * LOAD_MS) / 1000);
  assert.equal(generator.outcomes.length, generator.sent, 'every request answered');

  // A window that starts 3-4 s (scrapes) into the quiet before the load and ends 3 s after it.
  await sleep(QUIET_AFTER_MS);
  countWindowS = Math.floor((Date.now() - generator.startedAt) / 1000) + 4;
  counted = await stat(countWindowS);
  const windowStart = counted.sentAt - countWindowS * 1000;
  assert.ok(windowStart > warmupEnd + 500 && windowStart < generator.startedAt - 2500, `the count window starts in the quiet time (${generator.startedAt - windowStart} ms before the load)`);
});

after(async () => {
  await load?.close();
  await mesh?.stop();
});

const succeeded = (outcomes: Outcome[]): number => outcomes.filter((o) => o.status === 200).length;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** The upper bound of the latency bucket that holds `ms`. */
const bucketOf = (ms: number): number => LATENCY_BUCKETS_MS.find((le) => ms <= le) ?? Infinity;

function steadyReport(): string {
  const n = inSteadyWindow.length;
  return `stat over ${STEADY_WINDOW_S}s ${JSON.stringify(steady.row)}; generator ${n} responses = ${n / STEADY_WINDOW_S} rps, success ${succeeded(inSteadyWindow) / n}, p50 ${median(inSteadyWindow.map((o) => o.latencyMs)).toFixed(1)} ms`;
}

test('stat RPS is within 5% of the rate the generator saw over the same steady window', (t) => {
  t.diagnostic(steadyReport());
  const generatorRps = inSteadyWindow.length / STEADY_WINDOW_S;
  const { rps } = steady.row;
  assert.ok(rps !== undefined && Math.abs(rps - generatorRps) <= 0.05 * generatorRps, steadyReport());
});

test('stat success rate is within 5 points of the generator\'s over the same steady window', () => {
  const generatorSuccess = succeeded(inSteadyWindow) / inSteadyWindow.length;
  const { successRate } = steady.row;
  assert.ok(successRate !== undefined && Math.abs(successRate - generatorSuccess) <= 0.05, steadyReport());
});

test('stat p50 latency falls in the latency bucket of the generator\'s median', () => {
  const p50 = steady.row.latencyMs?.p50;
  assert.ok(p50 !== undefined, steadyReport());
  assert.equal(bucketOf(p50), bucketOf(median(inSteadyWindow.map((o) => o.latencyMs))), steadyReport());
});

test('over a window holding the whole load, stat counts exactly the responses the generator received', (t) => {
  const outcomes = load?.outcomes ?? [];
  const total = outcomes.length;
  const ok = succeeded(outcomes);
  const report = `stat over ${countWindowS}s ${JSON.stringify(counted.row)}; generator ${total} responses, ${ok} succeeded`;
  t.diagnostic(report);
  const { requests, successRate = 0 } = counted.row;
  assert.deepEqual({ requests, successes: Math.round(successRate * requests) }, { requests: total, successes: ok }, report);
});
