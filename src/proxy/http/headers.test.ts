import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeGrpcMessage, fromRawHeaders } from './headers.js';

test('grpc-message keeps printable ASCII and percent-encodes the rest, as the gRPC spec says', () => {
  assert.equal(encodeGrpcMessage('connect to 127.0.0.1:80 failed: refused'), 'connect to 127.0.0.1:80 failed: refused');
  assert.equal(encodeGrpcMessage('100% done\n'), '100%25 done%0A');
  assert.equal(encodeGrpcMessage('🍩'), '%F0%9F%8D%A9');
});

test('hop-by-hop headers and those named by Connection are dropped; te survives only as trailers', () => {
  const raw = ['Host', 'a', 'Connection', 'close, X-Drop', 'X-Drop', '1', 'Keep-Alive', 'x', 'TE', 'trailers', 'X-Keep', '2'];
  assert.deepEqual(fromRawHeaders(raw, 'close, X-Drop'), ['te', 'trailers', 'x-keep', '2']);
  assert.deepEqual(fromRawHeaders(['TE', 'gzip'], undefined), []);
});
