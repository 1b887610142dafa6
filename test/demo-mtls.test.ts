// The emoji-voting demo under the one-machine mesh runs fully on mTLS: every meshed hop (the vote
// bot to web over HTTP, web to emoji and voting over gRPC) carries verified identities.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  assert.deepEqual(lines(web, 'response_total', 'outbound').filter((l) => !l.includes('tls="true"')), [], 'no plaintext call leaves web');
  for (const callee of ['emoji', 'voting']) {
    const text = await metrics(callee);
    const inbound = lines(text, 'request_total', 'inbound');
    assert.ok(inbound.length > 0, `${callee} served requests`);
    for (const line of inbound) assert.match(line, new RegExp(`tls="true",client_id="${id('web').replace(/\./g, '\\.')}"`), `${callee}: ${line}`);
  }
  const bot = await metrics('vote-bot');
  assert.ok(sample(bot, 'response_total', { direction: 'outbound', tls: 'true', server_id: id('web') }) >= 1, 'vote-bot -> web on mTLS');
});
