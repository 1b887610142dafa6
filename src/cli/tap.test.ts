// `loom tap`: Linkerd-like lines, the /api/tap query and its usage errors, and the stream in-process
// against a fake mesh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TapLine } from '../control/tap/tap-line.js';
import { captureIO, HttpAnswer, withFakeMesh } from './fake-mesh.test-helper.js';
import { formatTapLine, runTap, type TapOptions } from './tap.js';
import { tapQuery, type TapRequest } from './tap-stream.js';

const WEB_ID = 'web.shop.serviceaccount.identity.loom.cluster.local';
const WORLD_ID = 'world.shop.serviceaccount.identity.loom.cluster.local';

const REQUEST: TapLine = {
  id: 'shop/world-0:7', type: 'request', direction: 'inbound', timestampMs: 1_700_000_000_000, tls: true,
  source: { address: '10.0.0.1:5000', identity: WEB_ID, namespace: 'shop', workload: 'web' },
  destination: { address: '127.0.0.1:8080', identity: WORLD_ID, namespace: 'shop', workload: 'world', pod: 'world-0' },
  method: 'GET', authority: 'world.test', path: '/api/vote',
};
const HEAD = 'id=shop/world-0:7 proxy=in  src=deploy/web dst=pod/world-0 tls=true';
const IDS = `src_id=${WEB_ID} dst_id=${WORLD_ID}`;

test('formatTapLine: req, rsp and end lines in Linkerd\'s format; identities once, on the request', () => {
  assert.equal(formatTapLine(REQUEST, false), `req ${HEAD} ${IDS} :method=GET :authority=world.test :path=/api/vote`);
  assert.equal(formatTapLine({ ...REQUEST, type: 'response', status: 200, latencyMs: 1.25 }, false), `rsp ${HEAD} :status=200 latency=1.3ms`);
  assert.equal(formatTapLine({ ...REQUEST, type: 'end', status: 200, latencyMs: 3, responseBytes: 42 }, false), `end ${HEAD} :status=200 duration=3.0ms response-length=42B`);
  assert.equal(formatTapLine({ ...REQUEST, type: 'end', status: 502, latencyMs: 3, responseBytes: 0, error: 'LOOM_ERR_CONNECT' }, false), `end ${HEAD} :status=502 duration=3.0ms response-length=0B error=LOOM_ERR_CONNECT`);
});

test('formatTapLine: outbound and plaintext ends are shown with addresses and "-" identities', () => {
  const plain: TapLine = { ...REQUEST, direction: 'outbound', tls: false, source: { address: '10.0.0.1:5000', identity: '' }, destination: { address: '93.184.216.34:80', identity: '' } };
  assert.equal(formatTapLine(plain, false), 'req id=shop/world-0:7 proxy=out src=10.0.0.1:5000 dst=93.184.216.34:80 tls=false src_id=- dst_id=- :method=GET :authority=world.test :path=/api/vote');
});

test('formatTapLine: a gRPC end shows grpc-status by name instead of :status', () => {
  const end = (grpcStatus: number) => formatTapLine({ ...REQUEST, type: 'end', status: 200, latencyMs: 1, responseBytes: 5, grpcStatus }, false);
  assert.match(end(0), / grpc-status=OK duration=/);
  assert.match(end(2), / grpc-status=Unknown duration=/);
  assert.match(end(14), / grpc-status=Unavailable duration=/);
  assert.match(end(99), / grpc-status=99 duration=/, 'a code without a name is shown as a number');
  assert.doesNotMatch(end(2), /:status=/);
});

test('formatTapLine wide: identities and both addresses on every line, and method and path on the end line', () => {
  const wideHead = `${HEAD} ${IDS} src_addr=10.0.0.1:5000 dst_addr=127.0.0.1:8080`;
  assert.equal(formatTapLine({ ...REQUEST, type: 'response', status: 200, latencyMs: 1 }, true), `rsp ${wideHead} :status=200 latency=1.0ms`);
  assert.equal(formatTapLine(REQUEST, true), `req ${wideHead} :method=GET :authority=world.test :path=/api/vote`);
  assert.equal(formatTapLine({ ...REQUEST, type: 'end', status: 200, latencyMs: 3, responseBytes: 42 }, true), `end ${wideHead} :status=200 duration=3.0ms response-length=42B :method=GET :path=/api/vote`);
});

const REQ: TapRequest = { target: 'deploy/web', namespace: 'shop', maxRps: 100, stateDir: '/nonexistent' };

test('tapQuery: the target, --to (in the target\'s namespace by default) and filters become /api/tap\'s query', () => {
  assert.equal(String(tapQuery(REQ)), 'namespace=shop&kind=workload&name=web&max_rps=100');
  assert.equal(String(tapQuery({ ...REQ, target: 'ns/emojivoto' })), 'namespace=emojivoto&kind=namespace&name=emojivoto&max_rps=100');
  assert.equal(
    String(tapQuery({ ...REQ, target: 'po/web-0', to: 'deploy/world', method: 'POST', path: '/api', maxRps: 5 })),
    'namespace=shop&kind=pod&name=web-0&max_rps=5&to_namespace=shop&to_kind=workload&to_name=world&method=POST&path=%2Fapi',
  );
  assert.match(String(tapQuery({ ...REQ, to: 'deploy/db', toNamespace: 'data' })), /to_namespace=data&to_kind=workload&to_name=db/);
});

test('tapQuery usage errors: unknown kind, missing name, a bad --to, a bad --max-rps', () => {
  const cases: Array<[Partial<TapRequest>, RegExp]> = [
    [{ target: 'svc/web' }, /^unknown kind "svc"; use ns\/<name>, deploy\/<name> or pod\/<name>, e\.g\. deploy\/web$/],
    [{ target: 'deploy' }, /^"deploy" names no deploy; write deploy\/<name>$/],
    [{ target: 'pod/' }, /^"pod\/" names no pod; write pod\/<name>$/],
    [{ to: 'job/x' }, /^--to: unknown kind "job"/],
    [{ to: 'ns' }, /^--to: "ns" names no ns; write ns\/<name>$/],
    [{ maxRps: 0 }, /^--max-rps "0" must be at least 1 request per second/],
    [{ maxRps: Number.NaN }, /^--max-rps "NaN" must be at least 1 request per second/],
  ];
  for (const [r, usage] of cases) {
    const q = tapQuery({ ...REQ, ...r });
    assert.ok('usage' in q, JSON.stringify(r));
    assert.match(q.usage, usage);
  }
});

const never = new AbortController().signal;
const opts = (stateDir: string, o: Partial<TapOptions> = {}): TapOptions => ({ ...REQ, output: 'table', stateDir, ...o });

test('runTap: an unknown -o or a bad target exits 2 before reaching the mesh', async () => {
  const yaml = captureIO();
  assert.equal(await runTap(opts('/nonexistent', { output: 'yaml' }), yaml, never), 2);
  assert.match(yaml.stderr, /^loom tap: unknown output "yaml"; supported: table \(one line per event, the default\), wide, json/);
  const kind = captureIO();
  assert.equal(await runTap(opts('/nonexistent', { target: 'svc/web' }), kind, never), 2);
  assert.match(kind.stderr, /^loom tap: unknown kind "svc"/);
});

test('runTap with no mesh running exits 1 and says how to start one', async () => {
  const io = captureIO();
  assert.equal(await runTap(opts(join(mkdtempSync(join(tmpdir(), 'loom-tap-')), '.loom')), io, never), 1);
  assert.match(io.stderr, /^loom tap: no mesh is running from this directory .*start one with `loom up -f mesh\.yaml`/);
  assert.equal(io.stdout, '');
});

test('runTap: the control plane\'s {error} is printed as "loom tap: <error>"; 404 exits 1, 400 exits 2', async () => {
  let answer = new HttpAnswer(404, { error: 'no deploy/web in namespace shop is running' });
  await withFakeMesh(
    () => answer,
    async (stateDir, queries) => {
      const missing = captureIO();
      assert.equal(await runTap(opts(stateDir), missing, never), 1);
      assert.equal(missing.stderr, 'loom tap: no deploy/web in namespace shop is running\n');
      assert.deepEqual(queries, ['/api/tap?namespace=shop&kind=workload&name=web&max_rps=100']);
      answer = new HttpAnswer(400, { error: 'max_rps "20000" must be a number of requests per second from 1 to 10000' });
      const bad = captureIO();
      assert.equal(await runTap(opts(stateDir, { maxRps: 20_000 }), bad, never), 2);
      assert.match(bad.stderr, /^loom tap: max_rps "20000"/);
    },
  );
});

/** A controller admin whose /api/tap streams `body` as NDJSON, one write per line. */
async function streamingController(body: string[]): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const line of body) res.write(line);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('runTap prints a streamed tap line by line, with a proxy\'s error line on stderr', async () => {
  const end: TapLine = { ...REQUEST, type: 'end', status: 200, latencyMs: 3, responseBytes: 42 };
  const error = { type: 'error', pod: 'shop/web-1', message: 'connect ECONNREFUSED 10.0.0.3:4190' };
  // The end line is split across writes: lines are reassembled, not read per chunk.
  const endText = JSON.stringify(end);
  const controller = await streamingController([`${JSON.stringify(REQUEST)}\n`, `${JSON.stringify(error)}\n`, endText.slice(0, 20), `${endText.slice(20)}\n`]);
  try {
    await withFakeMesh(
      () => ({}),
      async (stateDir) => {
        const io = captureIO();
        assert.equal(await runTap(opts(stateDir), io, never), 0, io.stderr);
        assert.equal(io.stdout, `${formatTapLine(REQUEST, false)}\n${formatTapLine(end, false)}\n`);
        assert.equal(io.stderr, 'loom tap: cannot tap shop/web-1: connect ECONNREFUSED 10.0.0.3:4190\n');
        const json = captureIO();
        assert.equal(await runTap(opts(stateDir, { output: 'json' }), json, never), 0);
        assert.deepEqual(json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown), [REQUEST, end]);
      },
      controller.url,
    );
  } finally {
    await controller.close();
  }
});
