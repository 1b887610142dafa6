import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { httpProbe, tcpProbe } from './readiness.js';
import { SupervisedProcess, type ProcessStatus, type SupervisedProcessOptions } from './supervised-process.js';

const dir = mkdtempSync(join(tmpdir(), 'loom-supervised-'));
const started: SupervisedProcess[] = [];
// A failed test must not leave its process running (and the test runner waiting on it).
test.after(async () => {
  await Promise.all(started.map((proc) => proc.stop()));
  rmSync(dir, { recursive: true, force: true });
});

let scripts = 0;
/** A node process running `source`, as a command line. */
function nodeScript(source: string): string[] {
  const file = join(dir, `script-${++scripts}.mjs`);
  writeFileSync(file, source);
  return [process.execPath, file];
}

function supervised(command: string[], opts: Partial<SupervisedProcessOptions> = {}): SupervisedProcess {
  const proc = new SupervisedProcess({
    name: 'test',
    command,
    env: {},
    baseEnv: { FROM_BASE: 'base', OVERRIDDEN: 'base' },
    cwd: dir,
    logFile: join(dir, 'logs', `process-${scripts}.log`),
    backoff: { initialMs: 50, maxMs: 200, resetAfterMs: 10_000 },
    probeIntervalMs: { notReady: 50, ready: 100 },
    stopGraceMs: 2000,
    ...opts,
  });
  started.push(proc);
  return proc;
}

/** Resolves when `check()` holds, checked on every status change. */
function until(proc: SupervisedProcess, check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.off('status', onStatus);
      reject(new Error(`timed out waiting for ${what}; status ${proc.status}, lastError ${proc.lastError}`));
    }, timeoutMs);
    const onStatus = (): void => {
      if (!check()) return;
      clearTimeout(timer);
      proc.off('status', onStatus);
      resolve();
    };
    proc.on('status', onStatus);
    onStatus();
  });
}

function recordStatuses(proc: SupervisedProcess): { status: ProcessStatus; at: number }[] {
  const seen: { status: ProcessStatus; at: number }[] = [];
  proc.on('status', (status: ProcessStatus) => seen.push({ status, at: Date.now() }));
  return seen;
}

test('becomes ready only once the process listens', async () => {
  const port = await freePort();
  const proc = supervised(
    nodeScript(`import { createServer } from 'node:net';
      setTimeout(() => createServer().listen(${port}, '127.0.0.1'), 300);`),
    { ready: () => tcpProbe('127.0.0.1', port) },
  );
  const seen = recordStatuses(proc);
  const began = Date.now();
  proc.start();
  await until(proc, () => proc.status === 'ready', 'ready');
  assert.ok(Date.now() - began >= 300, 'ready before the process listened');
  assert.deepEqual(seen.map((s) => s.status), ['starting', 'ready']);
  assert.equal(typeof proc.pid, 'number');
  assert.ok(proc.startedAt instanceof Date);
  await proc.stop();
  assert.equal(proc.status, 'stopped');
});

test('goes unready when the probe fails while running, and ready again', async () => {
  let healthy = true;
  const proc = supervised(nodeScript('setInterval(() => {}, 1000);'), { ready: async () => healthy });
  proc.start();
  await until(proc, () => proc.status === 'ready', 'ready');
  healthy = false;
  await until(proc, () => proc.status === 'unready', 'unready');
  healthy = true;
  await until(proc, () => proc.status === 'ready', 'ready again');
  assert.equal(proc.restarts, 0);
  await proc.stop();
});

test('a crashing process is restarted with doubling backoff and restarts counts', async () => {
  const proc = supervised(nodeScript('process.exit(3);'));
  const seen = recordStatuses(proc);
  proc.start();
  await until(proc, () => proc.restarts >= 4 && proc.status === 'backoff', '4 restarts');
  assert.equal(proc.lastExit?.code, 3);
  assert.equal(proc.lastExit?.signal, null);
  assert.equal(proc.lastError, 'exited with code 3');
  await proc.stop();
  const restartsAtStop = proc.restarts;

  // Delay from each exit ('backoff') to the next spawn ('starting'): 50, 100, 200, then capped at 200.
  const waits: number[] = [];
  seen.forEach((s, i) => {
    const next = seen[i + 1];
    if (s.status === 'backoff' && next?.status === 'starting') waits.push(next.at - s.at);
  });
  [50, 100, 200, 200].forEach((expected, i) => {
    const wait = waits[i] ?? -1;
    assert.ok(wait >= expected - 5 && wait < expected + 150, `wait ${i} was ${wait} ms, expected ~${expected}`);
  });

  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(proc.restarts, restartsAtStop, 'restarted after stop()');
  assert.equal(proc.status, 'stopped');
});

test('backoff resets to the initial delay after the process stayed up resetAfterMs', async () => {
  const proc = supervised(nodeScript('setTimeout(() => process.exit(1), 150);'), {
    backoff: { initialMs: 40, maxMs: 5000, resetAfterMs: 100 },
  });
  const seen = recordStatuses(proc);
  proc.start();
  await until(proc, () => proc.restarts >= 3, '3 restarts');
  await proc.stop();
  const waits = seen.flatMap((s, i) => (s.status === 'backoff' && seen[i + 1]?.status === 'starting' ? [seen[i + 1]!.at - s.at] : []));
  assert.ok(waits.length >= 3);
  for (const wait of waits) assert.ok(wait < 80 + 40, `backoff grew to ${wait} ms despite the process staying up`);
});

test('a command that does not exist crashes with a clear message and keeps retrying', async () => {
  const proc = supervised(['loom-no-such-command-xyz', '--flag']);
  proc.start();
  await until(proc, () => proc.status === 'crashed', 'crashed');
  assert.equal(proc.lastError, `command "loom-no-such-command-xyz" not found: check the workload's command in the mesh file`);
  assert.equal(proc.pid, undefined);
  await until(proc, () => proc.restarts >= 2 && proc.status === 'crashed', 'retries');
  await proc.stop();
  assert.equal(proc.status, 'stopped');
});

test('a working directory that does not exist is named as the problem', async () => {
  const proc = supervised([process.execPath, '-e', '0'], { cwd: join(dir, 'missing') });
  proc.start();
  await until(proc, () => proc.status === 'crashed', 'crashed');
  assert.match(proc.lastError ?? '', /^working directory ".*missing" does not exist/);
  await proc.stop();
});

test('stop() sends SIGTERM and resolves when the process has exited', async () => {
  const proc = supervised(
    nodeScript(`process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(0); });
      console.log('armed'); setInterval(() => {}, 1000);`),
  );
  proc.start();
  await waitForLine(proc, 'armed');
  const began = Date.now();
  await proc.stop();
  assert.ok(Date.now() - began < 1500, 'stop() waited for the grace period');
  assert.equal(proc.status, 'stopped');
  assert.deepEqual(proc.lastExit && { code: proc.lastExit.code, signal: proc.lastExit.signal }, { code: 0, signal: null });
  assert.ok(proc.recentLines().includes('got SIGTERM'));
  assert.equal(proc.restarts, 0);
});

test('stop() sends SIGKILL after the grace period to a process ignoring SIGTERM', async () => {
  const proc = supervised(nodeScript(`process.on('SIGTERM', () => {}); console.log('armed'); setInterval(() => {}, 1000);`), {
    stopGraceMs: 300,
  });
  proc.start();
  await waitForLine(proc, 'armed');
  const began = Date.now();
  await proc.stop();
  assert.ok(Date.now() - began >= 290, 'killed before the grace period');
  assert.equal(proc.lastExit?.signal, 'SIGKILL');
  assert.equal(proc.status, 'stopped');
});

test('stdout and stderr land raw in the log file, and the last 200 lines in recentLines()', async () => {
  const logFile = join(dir, 'nested', 'deeper', 'app.log');
  const proc = supervised(
    nodeScript(`console.log('env', process.env.FROM_BASE, process.env.OVERRIDDEN);
      for (let i = 0; i < 250; i++) console.log('line ' + i);
      console.error('to stderr'); console.log('done'); setInterval(() => {}, 1000);`),
    { logFile, env: { OVERRIDDEN: 'env' } },
  );
  proc.start();
  await until(proc, () => proc.status === 'ready', 'ready (no probe: ready once spawned)');
  await waitForLine(proc, 'done');
  await waitForLine(proc, 'to stderr');
  await proc.stop();

  // stdout and stderr are separate pipes: their relative order is not fixed, only each one's own.
  const lines = proc.recentLines();
  assert.equal(lines.length, 200);
  assert.ok(lines.includes('to stderr'));
  assert.deepEqual(lines.filter((line) => line.startsWith('line ')).slice(-2), ['line 248', 'line 249']);
  assert.ok(!lines.includes('line 0'));
  const file = readFileSync(logFile, 'utf8');
  assert.match(file, /^env base env\n/);
  assert.match(file, /\nline 0\n/);
  assert.match(file, /line 249\n/);
  assert.match(file, /to stderr\n/);

  // A restart appends rather than truncating.
  proc.start();
  await waitFor(() => readFileSync(logFile, 'utf8').split('\ndone\n').length - 1 === 2, 'the second run in the log');
  await proc.stop();
  assert.equal(readFileSync(logFile, 'utf8').split('\nline 0\n').length - 1, 2);
});

test('probes: tcp and http answer false, not throw, when nothing is there', async () => {
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/ready' ? 200 : req.url === '/moved' ? 302 : 503;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(typeof address === 'object' && address !== null);
  const base = `http://127.0.0.1:${address.port}`;
  try {
    assert.equal(await httpProbe(`${base}/ready`), true);
    assert.equal(await httpProbe(`${base}/moved`), true);
    assert.equal(await httpProbe(`${base}/other`), false);
    assert.equal(await tcpProbe('127.0.0.1', address.port), true);
    assert.equal(await httpProbe('not a url'), false);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  const closed = await freePort();
  assert.equal(await tcpProbe('127.0.0.1', closed), false);
  assert.equal(await httpProbe(`http://127.0.0.1:${closed}/ready`), false);
});

/** Output arrives on its own schedule, not with status changes: poll. */
async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function waitForLine(proc: SupervisedProcess, line: string): Promise<void> {
  return waitFor(() => proc.recentLines().includes(line), `"${line}" (status ${proc.status})`);
}
