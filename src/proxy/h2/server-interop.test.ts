// serveLoomH2 against node:http2's client (nghttp2), which carries the Loom marker through
// customSettings, and against raw frames for what no well-behaved client sends. nghttp2 encodes a
// string with Huffman only when that is shorter, so the values sent here are ones it sends plain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { CLIENT_PREFACE, ErrorCode, Flag, FrameType, SettingId } from './constants.js';
import { encodeFrame } from './frames.js';
import { HpackDecoder } from './hpack-decoder.js';
import { HpackEncoder } from './hpack-encoder.js';
import { LOOM_SETTING_ID, settingsHaveLoomMarker } from './marker.js';
import type { LoomH2Handler } from './server.js';
import { encodeSettings, DEFAULT_SETTINGS } from './settings.js';
import {
  echoHandler,
  parseGoAway,
  RawPeer,
  sha256,
  startLoomServer,
  waitUntil,
  type TestServer,
} from './test-support.test-helper.js';

function connectNode(port: number): ClientHttp2Session {
  const session = http2.connect(`http://127.0.0.1:${port}`, { settings: { customSettings: { [LOOM_SETTING_ID]: 1 } } as http2.Settings });
  session.on('error', () => undefined);
  return session;
}

interface NodeResponse {
  headers: IncomingHttpHeaders;
  body: Buffer;
  trailers: IncomingHttpHeaders | undefined;
}

function collect(stream: ClientHttp2Stream): Promise<NodeResponse> {
  return new Promise((resolve, reject) => {
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (headers = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve({ headers, body: Buffer.concat(chunks), trailers }));
    stream.on('error', reject);
  });
}

async function withNodeClient(handle: LoomH2Handler, run: (session: ClientHttp2Session, server: TestServer) => Promise<void>): Promise<void> {
  const server = await startLoomServer(handle);
  const session = connectNode(server.port);
  try {
    await run(session, server);
  } finally {
    session.destroy();
    await server.close();
  }
}

/** An :authority nghttp2 sends without Huffman (every character has a code of 8 bits or more). */
const AUTHORITY = 'XZ&&';

test('a node:http2 client gets its request through: headers, body, response and trailers decode on both sides', async () => {
  const seen: Array<{ method: string; authority: string; path: string; headers: string[]; httpVersion: string }> = [];
  const handler: LoomH2Handler = (req, res) => {
    seen.push({ method: req.method, authority: req.authority, path: req.path, headers: req.headers, httpVersion: req.httpVersion });
    const chunks: Buffer[] = [];
    req.body?.on('data', (c: Buffer) => chunks.push(c));
    req.body?.on('end', () => {
      res.start(201, ['content-type', 'text/plain', 'x-custom-header', 'value with spaces', 'set-cookie', 'a=1', 'set-cookie', 'b=2'], false);
      res.data(Buffer.concat(chunks));
      res.end({ 'grpc-status': '0', 'grpc-message': 'all good' });
    });
  };
  await withNodeClient(handler, async (session) => {
    const stream = session.request({ ':method': 'POST', ':path': '/', ':authority': AUTHORITY, etag: '"!#$' });
    stream.end(Buffer.from('ping'));
    const res = await collect(stream);
    assert.deepEqual(seen, [{ method: 'POST', authority: AUTHORITY, path: '/', headers: ['etag', '"!#$'], httpVersion: '2' }]);
    assert.equal(res.headers[':status'], 201);
    assert.equal(res.headers['x-custom-header'], 'value with spaces');
    assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(res.body.toString(), 'ping');
    assert.equal(res.trailers?.['grpc-status'], '0');
    assert.equal(res.trailers?.['grpc-message'], 'all good');
  });
});

test('10 MiB each way with a node:http2 client: both ends keep to the other\'s flow-control windows', async () => {
  const upload = randomBytes(10 * 1024 * 1024);
  await withNodeClient(echoHandler, async (session) => {
    const stream = session.request({ ':method': 'PUT', ':path': '/', ':authority': AUTHORITY });
    stream.end(upload);
    const res = await collect(stream);
    assert.equal(res.headers[':status'], 200);
    assert.equal(res.body.length, upload.length);
    assert.equal(sha256(res.body), sha256(upload));
  });
});

test('a node:http2 client reset reaches the handler as an abort with its code', async () => {
  let aborted = -1;
  const handler: LoomH2Handler = (_req, res) => {
    res.onAbort((code) => (aborted = code));
    res.start(200, [], false);
    res.data(Buffer.from('partial'));
  };
  await withNodeClient(handler, async (session) => {
    const stream = session.request({ ':path': '/', ':authority': AUTHORITY });
    stream.on('error', () => undefined);
    await new Promise((resolve) => stream.once('data', resolve));
    stream.close(http2.constants.NGHTTP2_CANCEL);
    await waitUntil(() => aborted !== -1);
    assert.equal(aborted, ErrorCode.CANCEL);
  });
});

test('a handler error mid-response resets the node:http2 stream with the code', async () => {
  const handler: LoomH2Handler = (_req, res) => {
    res.start(200, [], false);
    res.data(Buffer.from('partial'));
    setTimeout(() => res.error(new Error('upstream failed'), ErrorCode.ENHANCE_YOUR_CALM), 10);
  };
  await withNodeClient(handler, async (session) => {
    const stream = session.request({ ':path': '/', ':authority': AUTHORITY });
    stream.on('error', () => undefined);
    stream.resume();
    await new Promise((resolve) => stream.once('close', resolve));
    assert.equal(stream.rstCode, ErrorCode.ENHANCE_YOUR_CALM);
  });
});

test('a drain sends GOAWAY to a node:http2 client, finishes its request and closes the connection', async () => {
  let answer: (() => void) | undefined;
  const handler: LoomH2Handler = (req, res) => {
    answer = () => echoHandler(req, res);
  };
  await withNodeClient(handler, async (session, server) => {
    let goaway: { code: number; last: number } | undefined;
    session.on('goaway', (code, last) => (goaway = { code, last }));
    const stream = session.request({ ':path': '/', ':authority': AUTHORITY });
    const done = collect(stream);
    await waitUntil(() => answer !== undefined);
    for (const conn of server.connections) conn.close();
    await waitUntil(() => goaway !== undefined);
    answer?.();
    const res = await done;
    assert.equal(res.headers[':status'], 200);
    assert.equal(goaway?.code, ErrorCode.NO_ERROR);
    await waitUntil(() => session.closed || session.destroyed, 3000, 'the session to close');
  });
});

// Raw frames: the server's own output decoded with our decoder, and protocol errors.

function settingsFrame(pairs: Array<[number, number]>): Buffer {
  const payload = Buffer.alloc(pairs.length * 6);
  pairs.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return encodeFrame(FrameType.SETTINGS, 0, 0, payload);
}

const LOOM_PREFACE = [CLIENT_PREFACE, encodeFrame(FrameType.SETTINGS, 0, 0, encodeSettings(DEFAULT_SETTINGS))];

function requestBlock(fields: string[]): Buffer {
  const encoder = new HpackEncoder();
  encoder.begin();
  encoder.list(fields);
  return Buffer.from(encoder.finish());
}

async function withRawPeer(
  run: (peer: RawPeer) => Promise<void>,
  handle: LoomH2Handler = echoHandler,
  preface = LOOM_PREFACE,
  opts?: Parameters<typeof startLoomServer>[1],
): Promise<void> {
  const server = await startLoomServer(handle, opts);
  const peer = await RawPeer.connect(server.port, preface);
  try {
    await run(peer);
  } finally {
    peer.socket.destroy();
    await server.close();
  }
}

async function expectGoAway(peer: RawPeer, code: number): Promise<void> {
  const frame = await peer.waitFor((f) => f.type === FrameType.GOAWAY);
  const goAway = parseGoAway(frame.payload);
  assert.equal(goAway.code, code, `GOAWAY ${goAway.code} (${goAway.debug}), expected ${code}`);
  await peer.waitClosed();
}

test('the server opens with SETTINGS carrying the marker, acks ours and answers PING', async () => {
  await withRawPeer(async (peer) => {
    const first = await peer.waitFor(() => true);
    assert.equal(first.type, FrameType.SETTINGS);
    assert.equal(first.flags, 0);
    assert.ok(settingsHaveLoomMarker(first.payload));
    await peer.waitFor((f) => f.type === FrameType.SETTINGS && f.flags === Flag.ACK);
    peer.send(FrameType.PING, 0, 0, Buffer.from('12345678'));
    const pong = await peer.waitFor((f) => f.type === FrameType.PING);
    assert.equal(pong.flags, Flag.ACK);
    assert.equal(pong.payload.toString(), '12345678');
  });
});

test('a raw request gets a response whose HEADERS and DATA decode with our decoder', async () => {
  await withRawPeer(async (peer) => {
    const block = requestBlock([':method', 'GET', ':scheme', 'http', ':authority', 'svc:80', ':path', '/x?y=1', 'loom-orig-proto', 'HTTP/1.1']);
    peer.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, block);
    const headers = await peer.waitFor((f) => f.type === FrameType.HEADERS && f.streamId === 1);
    const fields: string[] = [];
    new HpackDecoder().decode(headers.payload, fields);
    assert.deepEqual(fields, [':status', '200', 'x-method', 'GET', 'x-path', '/x?y=1', 'x-http-version', '1.1', 'x-authority', 'svc:80']);
    const end = await peer.waitFor((f) => f.type === FrameType.DATA && f.streamId === 1);
    assert.equal(end.flags, Flag.END_STREAM);
  });
});

test('garbage after the preface is GOAWAY(PROTOCOL_ERROR) and a closed socket', async () => {
  await withRawPeer(
    (peer) => expectGoAway(peer, ErrorCode.PROTOCOL_ERROR),
    echoHandler,
    [CLIENT_PREFACE, Buffer.from('this is not an HTTP/2 frame, it is text\r\n')],
  );
});

test('a wrong preface is GOAWAY(PROTOCOL_ERROR)', async () => {
  await withRawPeer((peer) => expectGoAway(peer, ErrorCode.PROTOCOL_ERROR), echoHandler, [Buffer.from('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n')]);
});

test('protocol violations end the connection with the matching GOAWAY code', async () => {
  const bigWindow = Buffer.alloc(4);
  bigWindow.writeUInt32BE(0x7fffffff);
  const cases: Array<{ name: string; frames: Buffer[]; code: number }> = [
    { name: 'DATA on stream 0', frames: [encodeFrame(FrameType.DATA, 0, 0, Buffer.from('x'))], code: ErrorCode.PROTOCOL_ERROR },
    { name: 'oversized frame', frames: [encodeFrame(FrameType.DATA, 0, 1, Buffer.alloc(16_385))], code: ErrorCode.FRAME_SIZE_ERROR },
    {
      name: 'Huffman string with invalid padding',
      frames: [encodeFrame(FrameType.HEADERS, Flag.END_HEADERS, 1, Buffer.from('828684418118', 'hex'))],
      code: ErrorCode.COMPRESSION_ERROR,
    },
    { name: 'connection window overflow', frames: [encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, bigWindow)], code: ErrorCode.FLOW_CONTROL_ERROR },
    { name: 'PING of 7 bytes', frames: [encodeFrame(FrameType.PING, 0, 0, Buffer.alloc(7))], code: ErrorCode.FRAME_SIZE_ERROR },
    { name: 'DATA on an idle stream', frames: [encodeFrame(FrameType.DATA, 0, 5, Buffer.from('x'))], code: ErrorCode.PROTOCOL_ERROR },
    { name: 'even stream id', frames: [encodeFrame(FrameType.HEADERS, Flag.END_HEADERS, 2, requestBlock([':method', 'GET']))], code: ErrorCode.PROTOCOL_ERROR },
    { name: 'PUSH_PROMISE', frames: [encodeFrame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1, Buffer.alloc(4))], code: ErrorCode.PROTOCOL_ERROR },
    {
      name: 'interleaved frame in a header block',
      frames: [encodeFrame(FrameType.HEADERS, 0, 1, requestBlock([':method', 'GET'])), encodeFrame(FrameType.PING, 0, 0, Buffer.alloc(8))],
      code: ErrorCode.PROTOCOL_ERROR,
    },
    {
      name: 'CONTINUATION flood',
      frames: [
        encodeFrame(FrameType.HEADERS, 0, 1, requestBlock([':method', 'GET'])),
        ...Array.from({ length: 20 }, () => encodeFrame(FrameType.CONTINUATION, 0, 1, Buffer.alloc(16_384, 0x82))),
      ],
      code: ErrorCode.ENHANCE_YOUR_CALM,
    },
    { name: 'SETTINGS_MAX_FRAME_SIZE too small', frames: [settingsFrame([[SettingId.MAX_FRAME_SIZE, 100]])], code: ErrorCode.PROTOCOL_ERROR },
  ];
  for (const { name, frames, code } of cases) {
    await withRawPeer(async (peer) => {
      for (const f of frames) peer.socket.write(f);
      await expectGoAway(peer, code).catch((err: Error) => assert.fail(`${name}: ${err.message}`));
    });
  }
});

test('DATA beyond a stream\'s window resets only that stream with FLOW_CONTROL_ERROR', async () => {
  const handler: LoomH2Handler = () => {
    // never reads the body, never answers
  };
  await withRawPeer(
    async (peer) => {
      peer.send(FrameType.HEADERS, Flag.END_HEADERS, 1, requestBlock([':method', 'POST', ':scheme', 'http', ':authority', 'a', ':path', '/']));
      // 64 KiB window, 32 KiB credited as the body buffer filled, then nothing: 160 KiB is too much.
      for (let i = 0; i < 10; i++) peer.send(FrameType.DATA, 0, 1, Buffer.alloc(16_384));
      const rst = await peer.waitFor((f) => f.type === FrameType.RST_STREAM);
      assert.equal(rst.streamId, 1);
      assert.equal(rst.payload.readUInt32BE(0), ErrorCode.FLOW_CONTROL_ERROR);
      peer.send(FrameType.PING, 0, 0, Buffer.alloc(8));
      await peer.waitFor((f) => f.type === FrameType.PING && f.flags === Flag.ACK);
      assert.equal(peer.goAway(), undefined);
    },
    handler,
    LOOM_PREFACE,
    { settings: { initialWindowSize: 65_536 } },
  );
});

test('malformed requests and requests over the concurrency limit are refused by stream, not by connection', async () => {
  const held: Array<() => void> = [];
  const handler: LoomH2Handler = (req, res) => {
    held.push(() => echoHandler(req, res));
  };
  await withRawPeer(
    async (peer) => {
      const upper = requestBlock([':method', 'GET', ':scheme', 'http', ':path', '/', 'Upper', 'x']);
      peer.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, upper);
      const malformed = await peer.waitFor((f) => f.type === FrameType.RST_STREAM && f.streamId === 1);
      assert.equal(malformed.payload.readUInt32BE(0), ErrorCode.PROTOCOL_ERROR);
      const connection = requestBlock([':method', 'GET', ':scheme', 'http', ':path', '/', 'connection', 'close']);
      peer.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 3, connection);
      await peer.waitFor((f) => f.type === FrameType.RST_STREAM && f.streamId === 3);
      const get = requestBlock([':method', 'GET', ':scheme', 'http', ':authority', 'a', ':path', '/']);
      peer.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 5, get);
      peer.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 7, get);
      peer.send(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 9, get);
      const refused = await peer.waitFor((f) => f.type === FrameType.RST_STREAM && f.streamId === 9);
      assert.equal(refused.payload.readUInt32BE(0), ErrorCode.REFUSED_STREAM);
      for (const answer of held) answer();
      await peer.waitFor((f) => f.type === FrameType.HEADERS && f.streamId === 7);
      assert.equal(peer.goAway(), undefined);
    },
    handler,
    LOOM_PREFACE,
    { settings: { maxConcurrentStreams: 2 } },
  );
});
