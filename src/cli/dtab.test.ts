// `loom dtab` in-process against a real DtabApi server that a fake mesh names as its controller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DtabApi } from '../control/dtab/dtab-api.js';
import { MemoryDtabStore } from '../control/dtab/dtab-store.js';
import { readDtab } from '../routing/dtab/index.js';
import { runDtab, type DtabCommand } from './dtab.js';
import { captureIO, HttpAnswer, withFakeMesh } from './fake-mesh.test-helper.js';

const SVC = '/svc => /#/loom.svc/default/8080;';
const CANARY = '/svc => 9 * /#/loom.svc/default/8080 & /#/loom.svc/canary/8080;';

type Run = (command: DtabCommand, stdin?: string) => Promise<{ code: number; stdout: string; stderr: string }>;

async function withDtabApi(body: (run: Run, store: MemoryDtabStore) => Promise<void>): Promise<void> {
  const store = new MemoryDtabStore();
  const api = new DtabApi(store);
  const server = http.createServer((req, res) => {
    if (!api.handle(req, res)) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await withFakeMesh(() => ({}), async (stateDir) => {
      await body(async (command, stdin) => {
        const io = captureIO();
        const code = await runDtab(command, io, stateDir, () => Promise.resolve(stdin ?? ''));
        return { code, stdout: io.stdout, stderr: io.stderr };
      }, store);
    }, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'loom-dtab-cli-')), 'dtab.txt');
  writeFileSync(path, text);
  return path;
}

test('create, list, get with its version line, update (from a file and from stdin) and delete', async () => {
  await withDtabApi(async (run, store) => {
    assert.deepEqual(await run({ verb: 'list' }), { code: 0, stdout: '(no dtabs; create one with `loom dtab create <namespace> <file>`)\n', stderr: '' });
    const created = await run({ verb: 'create', namespace: 'default', file: file(`# the default routes\n${SVC}\n`) });
    const v1 = store.get('default')?.version;
    assert.deepEqual(created, { code: 0, stdout: `namespace default created (version ${v1})\n`, stderr: '' });
    await run({ verb: 'create', namespace: 'canary', file: '-' }, CANARY);
    assert.equal((await run({ verb: 'list' })).stdout, 'canary\ndefault\n');
    assert.deepEqual(await run({ verb: 'get', namespace: 'default' }), { code: 0, stdout: `${SVC}\n# version ${v1}\n`, stderr: '' });

    const updated = await run({ verb: 'update', namespace: 'default', file: '-' }, CANARY);
    const v2 = store.get('default')?.version;
    assert.notEqual(v2, v1);
    assert.deepEqual(updated, { code: 0, stdout: `namespace default updated (version ${v2})\n`, stderr: '' });
    assert.equal(store.get('default')?.text, CANARY);
    assert.equal((await run({ verb: 'update', namespace: 'default', file: file(SVC), version: v2 })).code, 0);
    assert.equal(store.get('default')?.text, SVC);

    assert.deepEqual(await run({ verb: 'delete', namespace: 'canary' }), { code: 0, stdout: 'namespace canary deleted\n', stderr: '' });
    assert.deepEqual(store.list(), ['default']);
  });
});

test('an update from a stale --version is refused with exit 1, both versions and what to do, and changes nothing', async () => {
  await withDtabApi(async (run, store) => {
    const v1 = store.create('default', readDtab(SVC)).version;
    const v2 = store.update('default', readDtab(CANARY)).version;
    const stale = await run({ verb: 'update', namespace: 'default', file: file(SVC), version: v1 });
    assert.equal(stale.code, 1);
    assert.equal(stale.stderr, `loom dtab: namespace default changed since version ${v1} (now ${v2}); run \`loom dtab get default\` and retry\n`);
    assert.equal(store.get('default')?.version, v2);
  });
});

test('an update without --version sends the version it just read, so a change in between is caught', async () => {
  await withDtabApi(async (run, store) => {
    store.create('default', readDtab(SVC));
    // Another editor writes between the CLI's read and its write.
    const original = store.get.bind(store);
    let reads = 0;
    store.get = (ns) => {
      const entry = original(ns);
      if (++reads === 1) store.update('default', readDtab(CANARY));
      return entry;
    };
    const raced = await run({ verb: 'update', namespace: 'default', file: file('/x => /y') });
    assert.equal(raced.code, 1);
    assert.match(raced.stderr, /^loom dtab: namespace default changed since version 1-[0-9a-f]+ \(now 2-[0-9a-f]+\)/);
    assert.equal(original('default')?.text, CANARY);
  });
});

test('refusals: unknown namespace, existing namespace, bad names and files (exit 2, nothing sent)', async () => {
  await withDtabApi(async (run, store) => {
    store.create('default', readDtab(SVC));
    const cases: Array<[DtabCommand, number, RegExp]> = [
      [{ verb: 'get', namespace: 'nope' }, 1, /^loom dtab: namespace nope has no dtab; `loom dtab list` lists them, `loom dtab create nope <file>` makes one\n$/],
      [{ verb: 'delete', namespace: 'nope' }, 1, /namespace nope has no dtab/],
      [{ verb: 'update', namespace: 'nope', file: file(SVC) }, 1, /namespace nope has no dtab/],
      [{ verb: 'create', namespace: 'default', file: file(SVC) }, 1, /^loom dtab: namespace default already has a dtab; change it with `loom dtab update default <file>`\n$/],
      [{ verb: 'get', namespace: 'a/b' }, 2, /^loom dtab: "a\/b" is not a dtab namespace; use 1 to 100 letters/],
      [{ verb: 'create', namespace: 'new', file: '/no/such/dtab.txt' }, 2, /^loom dtab: cannot read \/no\/such\/dtab\.txt \(ENOENT\); give a file holding the dtab, or - to read standard input\n$/],
      [{ verb: 'create', namespace: 'new', file: file('/a => /b;\n/c => (/d') }, 2, /^loom dtab: .*dtab\.txt:2:10: expected '\)', found end of input; fix the dtab and retry\n$/],
    ];
    for (const [command, code, message] of cases) {
      const res = await run(command);
      assert.equal(res.code, code, JSON.stringify(command));
      assert.match(res.stderr, message);
      assert.equal(res.stdout, '');
    }
    const stdin = await run({ verb: 'update', namespace: 'default', file: '-' }, '/a = /b');
    assert.equal(stdin.code, 2);
    assert.match(stdin.stderr, /<stdin>:1:4: expected '=>', found "="/);
    assert.deepEqual(store.list(), ['default']);
  });
});

test('a controller without the dtab API, and one that does not answer, are exit 1 with what to check', async () => {
  await withFakeMesh((url) => (url.pathname === '/api/1/dtabs' ? {} : new HttpAnswer(404, 'not found: GET /metrics /ready /live')), async (stateDir) => {
    const list = captureIO();
    assert.equal(await runDtab({ verb: 'list' }, list, stateDir), 1);
    assert.equal(list.stderr, 'loom dtab: the control plane\'s /api/1/dtabs did not answer a list of namespaces; is the mesh running a current `loom up`?\n');
    const get = captureIO();
    assert.equal(await runDtab({ verb: 'get', namespace: 'default' }, get, stateDir), 1);
    assert.match(get.stderr, /^loom dtab: the control plane answered 404 without a dtab API error \("not found: GET \/metrics .*\); is the mesh running a current `loom up`\?\n$/);
  });
  await withFakeMesh(() => ({}), async (stateDir) => {
    const io = captureIO();
    assert.equal(await runDtab({ verb: 'get', namespace: 'default' }, io, stateDir), 1);
    assert.match(io.stderr, /^loom dtab: the control plane's dtab API at http:\/\/127\.0\.0\.1:1 did not answer \(.*\); check `loom check`\n$/);
  }, 'http://127.0.0.1:1');
});
