// The emoji-voting demo under the one-machine mesh runs fully on mTLS: every meshed hop (the vote
// bot to web over HTTP, web to emoji and voting over gRPC) carries verified identities.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTapLine } from '../src/cli/tap.js';
import type { TapLine } from '../src/control/tap/tap-line.js';
import { LocalMesh } from '../src/platform/local/local-mesh.js';
import { ensureBuilt, MAIN, ROOT } from './support/child.js';
import { sample } from './support/proxy.js';
import { eventually } from './support/upstreams.js';

const id = (sa: string): string => `${sa}.emojivoto.serviceaccount.identity.loom.cluster.local`;
let mesh: LocalMesh;

before(async () => {
  await ensureBuilt();
  mesh = new LocalMesh({
    files: [join(ROOT, 'demos/emojivoto/mesh.yaml')],
    cwd: ROOT,
    stateDir: mkdtempSync(join(tmpdir(), 'loom-emojivoto-')),
    loomCommand: [process.execPath, MAIN],
    baseEnv: { ...process.env, VOTE_INTERVAL_MS: '50' },
    controllerPort: 0,
    scrapeIntervalMs: 1000,
  });
  await mesh.start();
});

after(async () => {
  await mesh.stop();
});

async function metrics(workload: string): Promise<string> {
  const found = mesh.replicas.find((r) => r.deployment.metadata.name === workload);
  assert.ok(found, `a replica of ${workload}`);
  return (await fetch(`http://127.0.0.1:${found.replica.describe().ports.admin}/metrics`)).text();
}

/** Every sample line of `name` with the given direction. */
function lines(text: string, name: string, direction: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) && l.includes(`direction="${direction}"`));
}

test('every meshed hop of the emoji-voting demo is mutual TLS with verified identities', async () => {
  await eventually(() => mesh.replicas.every((r) => r.replica.status === 'ready'), 30_000, 'every replica to be ready');
  await eventually(async () => sample(await metrics('voting'), 'request_total', { direction: 'inbound' }) >= 5, 30_000, 'votes to reach the voting service');
  const web = await metrics('web');
  assert.ok(sample(web, 'response_total', { direction: 'outbound', tls: 'true', server_id: id('emoji') }) >= 1, 'web -> emoji on mTLS');
  assert.ok(sample(web, 'response_total', { direction: 'outbound', tls: 'true', server_id: id('voting') }) >= 1, 'web -> voting on mTLS');
  // A vote sent before voting's endpoint was published never left web (LOOM_ERR_NO_ENDPOINTS): not a plaintext call.
  const leftWeb = lines(web, 'response_total', 'outbound').filter((l) => !l.includes('error="LOOM_ERR_NO_ENDPOINTS"'));
  assert.deepEqual(leftWeb.filter((l) => !l.includes('tls="true"')), [], 'no plaintext call leaves web');
  for (const callee of ['emoji', 'voting']) {
    const text = await metrics(callee);
    const inbound = lines(text, 'request_total', 'inbound');
    assert.ok(inbound.length > 0, `${callee} served requests`);
    for (const line of inbound) assert.match(line, new RegExp(`tls="true",client_id="${id('web').replace(/\./g, '\\.')}"`), `${callee}: ${line}`);
  }
  const bot = await metrics('vote-bot');
  assert.ok(sample(bot, 'response_total', { direction: 'outbound', tls: 'true', server_id: id('web') }) >= 1, 'vote-bot -> web on mTLS');
});

interface StatRow {
  name: string;
  requests: number;
  successRate?: number;
  rps?: number;
  latencyMs?: { p50?: number; p99?: number };
  meshed: { up: number; total: number };
}

test('the controller\'s metrics API: voting fails the doughnut votes, web passes those failures on, emoji succeeds', async () => {
  let rows: StatRow[] = [];
  await eventually(async () => {
    const res = await fetch(`${mesh.controllerAdmin}/api/stat?namespace=emojivoto&window=10s`);
    rows = ((await res.json()) as { rows: StatRow[] }).rows;
    const voting = rows.find((r) => r.name === 'voting');
    return voting !== undefined && voting.requests >= 10 && (voting.successRate ?? 1) < 1;
  }, 60_000, 'voting failures to show in the stat');
  const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
  assert.deepEqual(Object.keys(byName).sort(), ['emoji', 'vote-bot', 'voting', 'web']);
  assert.equal(byName['emoji']?.successRate, 1, 'emoji succeeds');
  assert.ok((byName['web']?.successRate ?? 1) < 1, 'web answers the failed doughnut votes with 500');
  for (const name of ['emoji', 'web', 'voting']) {
    assert.ok((byName[name]?.rps ?? 0) > 0, `${name} has traffic`);
    assert.ok((byName[name]?.latencyMs?.p99 ?? 0) > 0, `${name} has a p99`);
  }
  assert.deepEqual(byName['voting']?.meshed, { up: 1, total: 1 });
  assert.equal(byName['vote-bot']?.requests, 0, 'nothing calls the vote bot');
  assert.equal(byName['vote-bot']?.successRate, undefined, 'no traffic is not 0% success');
  const bad = await fetch(`${mesh.controllerAdmin}/api/stat?window=5x`);
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /window "5x" must be a duration from 2s \(two scrapes\) to 1h/);
});

test('tap shows a doughnut vote failing at the voting service within a second of it happening', async () => {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), 45_000);
  const res = await fetch(`${mesh.controllerAdmin}/api/tap?namespace=emojivoto&kind=workload&name=voting&path=/emojivoto.v1.VotingService/VoteDoughnut`, { signal: stop.signal });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
  let found: { line: TapLine; delayMs: number } | undefined;
  let buffered = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += Buffer.from(chunk).toString();
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const text of complete) {
        const line = JSON.parse(text) as TapLine;
        if (line.type === 'end' && line.grpcStatus !== undefined && line.grpcStatus !== 0) found ??= { line, delayMs: Date.now() - line.timestampMs };
      }
      if (found) break;
    }
  } finally {
    clearTimeout(timer);
    stop.abort();
  }
  assert.ok(found, 'a failed doughnut vote was tapped');
  const { line, delayMs } = found;
  assert.ok(delayMs >= 0 && delayMs < 1000, `the event arrived ${delayMs.toFixed(0)} ms after it happened`);
  assert.equal(line.grpcStatus, 2);
  assert.equal(line.direction, 'inbound');
  assert.equal(line.tls, true);
  assert.deepEqual([line.source.workload, line.source.identity], ['web', id('web')]);
  assert.deepEqual([line.destination.pod, line.destination.identity], ['voting-0', id('voting')]);
  assert.match(formatTapLine(line, false), /^end id=emojivoto\/voting-0:\d+ proxy=in {2}src=deploy\/web dst=pod\/voting-0 tls=true .*grpc-status=Unknown duration=\d+\.\dms response-length=0B$/);
});

test('the tap API names what it cannot tap', async () => {
  const missing = await fetch(`${mesh.controllerAdmin}/api/tap?namespace=emojivoto&kind=workload&name=nope`);
  assert.equal(missing.status, 404);
  assert.match(((await missing.json()) as { error: string }).error, /no deploy\/nope in namespace emojivoto is running; `loom get workloads -n emojivoto`/);
  const badRate = await fetch(`${mesh.controllerAdmin}/api/tap?namespace=emojivoto&kind=workload&name=web&max_rps=0`);
  assert.equal(badRate.status, 400);
});
