// `loom up` and `loom down` as a user runs them: the real binary, the hello-world mesh, and nothing
// left running or listening afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { ensureBuilt, MAIN, ROOT } from './support/child.js';
import { eventually } from './support/upstreams.js';

const run = promisify(execFile);

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('loom up runs the mesh, loom get shows it ready, loom down stops it leaving nothing listening', async () => {
  await ensureBuilt();
  const up = spawn(process.execPath, [MAIN, 'up', '-f', 'demos/hello-world/mesh.yaml', '--admin-port', '0', '--controller-port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  up.stdout.on('data', (d) => (output += d));
  up.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => up.once('exit', (code) => resolve(code)));
  try {
    await eventually(() => output.includes('Loom mesh is up'), 20_000, `loom up to start: ${output}`);
    let table = '';
    await eventually(async () => {
      table = (await run(process.execPath, [MAIN, 'get', 'workloads'], { cwd: ROOT })).stdout;
      return table.split('\n').filter((l) => / ready /.test(l)).length === 2;
    }, 30_000, 'both replicas to be ready');
    const ports = table
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .flatMap((l) => l.trim().split(/\s+/).slice(5, 9).map(Number));
    assert.equal(ports.length, 8);
    for (const port of ports) assert.ok(await listening(port), `port ${port} listens while the mesh is up`);
    const hello = ports[1] as number;
    const answer = await (await fetch(`http://127.0.0.1:${hello}/`)).text();
    assert.match(answer, /^Hello \(.*\) world \(.*\)!!/);
    // hello -> world went over mTLS with verified identities, and the user can see them.
    const helloMetrics = await (await fetch(`http://127.0.0.1:${ports[3]}/metrics`)).text();
    assert.match(helloMetrics, /^response_total\{direction="outbound",[^}]*tls="true",server_id="world\.hello\.serviceaccount\.identity\.loom\.cluster\.local"[^}]*status_code="200"/m);
    const identity = (await run(process.execPath, [MAIN, 'identity', 'world-v1'], { cwd: ROOT })).stdout;
    assert.match(identity, /^hello\/world-v1-0\n {2}Identity: {2}world\.hello\.serviceaccount\.identity\.loom\.cluster\.local$/m);
    assert.match(identity, /Names: {5}DNS:world\.hello\.serviceaccount\.identity\.loom\.cluster\.local, URI:spiffe:\/\/cluster\.local\/ns\/hello\/sa\/world/);
    assert.match(identity, /Chain: {5}valid/);
    const check = await run(process.execPath, [MAIN, 'check'], { cwd: ROOT });
    assert.match(check.stdout, /^√ every proxy holds a valid certificate for its identity$/m);
    // Golden metrics from the controller's scrapes (every 5 s): keep traffic flowing until they show.
    let stat = '';
    await eventually(async () => {
      await (await fetch(`http://127.0.0.1:${hello}/`)).text();
      stat = (await run(process.execPath, [MAIN, 'stat', 'deploy', '-n', 'hello'], { cwd: ROOT })).stdout;
      return /^world-v1\s+1\/1\s+100\.00%\s+\d+\.\drps\s+\S+ms/m.test(stat);
    }, 30_000, 'loom stat to show world-v1 serving');
    assert.match(stat, /^NAME\s+MESHED\s+SUCCESS\s+RPS\s+LATENCY_P50\s+LATENCY_P95\s+LATENCY_P99\s+TCP_CONN$/m);
    assert.match(stat, /^hello\s+1\/1\s+100\.00%/m);
    const routes = (await run(process.execPath, [MAIN, 'routes', 'deploy/world-v1', '-n', 'hello'], { cwd: ROOT })).stdout;
    assert.match(routes, /^ROUTE\s+SERVICE\s+SUCCESS\s+RPS\s+LATENCY_P50\s+LATENCY_P95\s+LATENCY_P99$/m);
    assert.match(routes, /^\[DEFAULT\]\s+world\.hello\.svc\S*\s+100\.00%\s+\d+\.\drps\s+\S+ms/m);
    const edges = (await run(process.execPath, [MAIN, 'edges', 'deploy', '-n', 'hello'], { cwd: ROOT })).stdout;
    assert.match(edges, /^SRC\s+DST\s+SRC_NS\s+DST_NS\s+SECURED\s+CLIENT_ID\s+SERVER_ID$/m);
    assert.match(edges, /^hello\s+world-v1\s+hello\s+hello\s+√\s+hello\.hello\.serviceaccount\.identity\.loom\.cluster\.local\s+world\.hello\.serviceaccount\.identity\.loom\.cluster\.local$/m);
    // Live requests: `loom tap` prints each as it happens and `loom top` sums them; Ctrl-C ends both cleanly.
    const live = (args: string[]) => {
      const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += String(d)));
      child.stderr.on('data', (d: Buffer) => (output += String(d)));
      const code = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      return { output: () => output, stop: () => (child.kill('SIGINT'), code) };
    };
    const tap = live(['tap', 'deploy/world-v1', '-n', 'hello']);
    const top = live(['top', 'deploy/world-v1', '-n', 'hello']);
    await eventually(async () => {
      await (await fetch(`http://127.0.0.1:${hello}/`)).text();
      return /^end id=hello\/world-v1-0:\d+ proxy=in {2}src=deploy\/hello dst=pod\/world-v1-0 tls=true .*:status=200 duration=\d+\.\dms/m.test(tap.output());
    }, 15_000, 'loom tap to print a request');
    assert.match(tap.output(), /^req id=hello\/world-v1-0:\d+ proxy=in {2}src=deploy\/hello dst=pod\/world-v1-0 tls=true src_id=hello\.hello\.serviceaccount\.identity\.loom\.cluster\.local dst_id=world\.hello\.serviceaccount\.identity\.loom\.cluster\.local :method=GET /m);
    assert.equal(await tap.stop(), 0);
    // Ctrl-C before top has started would kill it before it could print: wait for its hint.
    await eventually(() => top.output().includes('press Ctrl-C to print the table'), 15_000, 'loom top to start watching');
    // The hint comes once the controller answers, before each proxy's tap is open: keep the traffic
    // going a while longer, as tap's own check above shows a second or two is plenty.
    for (let i = 0; i < 20; i++) {
      await (await fetch(`http://127.0.0.1:${hello}/`)).text();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(await top.stop(), 0);
    assert.match(top.output(), /^SOURCE\s+DESTINATION\s+METHOD\s+PATH\s+COUNT\s+BEST\s+WORST\s+LAST\s+SUCCESS_RATE$/m);
    assert.match(top.output(), /^deploy\/hello\s+pod\/world-v1-0\s+GET\s+\S+\s+\d+\s+[\d.]+ms\s+[\d.]+ms\s+[\d.]+ms\s+100\.00%$/m);
    const unknown = await run(process.execPath, [MAIN, 'tap', 'deploy/nope', '-n', 'hello'], { cwd: ROOT }).catch((err: { code: number; stderr: string }) => err);
    assert.match((unknown as { stderr: string }).stderr, /^loom tap: no deploy\/nope in namespace hello is running/m);

    const pids = JSON.parse((await run(process.execPath, ['-e', `fetch(require('./.loom/mesh.json').admin + '/api/workloads').then(r => r.json()).then(j => console.log(JSON.stringify(j.replicas.flatMap(r => [r.pids.app, r.pids.proxy]))))`], { cwd: ROOT })).stdout) as number[];

    const down = await run(process.execPath, [MAIN, 'down'], { cwd: ROOT });
    assert.match(down.stdout, /the mesh is stopped/);
    assert.equal(await exited, 0);
    for (const port of ports) assert.equal(await listening(port), false, `port ${port} is closed after loom down`);
    for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid} is gone after loom down`);
  } finally {
    // A failed assertion must not orphan the mesh: SIGTERM lets `loom up` stop its children first.
    if (up.exitCode === null) {
      up.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (up.exitCode === null) up.kill('SIGKILL');
    }
  }
});
