import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from './constants.js';
import { H2ConnectionError } from './errors.js';
import { HpackDecoder } from './hpack-decoder.js';
import { HpackEncoder } from './hpack-encoder.js';
import { STATIC_TABLE } from './hpack-static-table.js';

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

function decode(decoder: HpackDecoder, block: Buffer): string[] {
  const out: string[] = [];
  decoder.decode(block, out);
  return out;
}

function encode(encoder: HpackEncoder, list: string[]): Buffer {
  encoder.begin();
  encoder.list(list);
  return Buffer.from(encoder.finish());
}

test('the static table has the 61 entries of RFC 7541 Appendix A', () => {
  assert.equal(STATIC_TABLE.length, 61);
  assert.deepEqual(STATIC_TABLE[0], [':authority', '']);
  assert.deepEqual(STATIC_TABLE[7], [':status', '200']);
  assert.deepEqual(STATIC_TABLE[15], ['accept-encoding', 'gzip, deflate']);
  assert.deepEqual(STATIC_TABLE[30], ['content-type', '']);
  assert.deepEqual(STATIC_TABLE[60], ['www-authenticate', '']);
});

test('round trips header lists, long values (multi-byte lengths) and repeated names', () => {
  const encoder = new HpackEncoder();
  const decoder = new HpackDecoder();
  const lists: string[][] = [
    [':method', 'GET', ':scheme', 'http', ':authority', 'svc.ns:8080', ':path', '/'],
    [':method', 'POST', ':scheme', 'https', ':authority', '', ':path', '/index.html', 'content-type', 'application/grpc', 'te', 'trailers'],
    [':status', '200', 'set-cookie', 'a=1', 'set-cookie', 'b=2', 'x-empty', ''],
    ['x-long', 'v'.repeat(70_000), 'y'.repeat(300), 'z'.repeat(127), 'x-126', 'q'.repeat(126)],
    ['x-latin1', 'caf\u00e9 \u00ff', 'accept-encoding', 'gzip, deflate', 'accept-encoding', 'br'],
    ['grpc-status', '0', 'grpc-message', ''],
  ];
  for (const list of lists) assert.deepEqual(decode(decoder, encode(encoder, list)), list);
  // Stateless encoding: nothing was added to the decoder's dynamic table.
  assert.equal(decoder.table.length, 0);
});

test('exact static matches become one indexed byte; known names are indexed in a literal', () => {
  const encoder = new HpackEncoder();
  assert.deepEqual(encode(encoder, [':method', 'GET', ':method', 'POST', ':scheme', 'http', ':path', '/']), hex('82 83 86 84'));
  encoder.begin();
  encoder.status(200);
  encoder.status(404);
  encoder.status(503);
  assert.deepEqual(Buffer.from(encoder.finish()), hex('88 8d 08 03 353033'));
  // content-type (31) as a 4-bit prefixed index: 15 + 16.
  assert.deepEqual(encode(encoder, ['content-type', 'a']), hex('0f10 01 61'));
  // An unknown name is a literal: 0x00, name, value; no Huffman bit.
  assert.deepEqual(encode(encoder, ['x-a', 'b']), hex('00 03 782d61 01 62'));
});

test('a shrunken peer table is acknowledged with a size update at the start of the next block', () => {
  const encoder = new HpackEncoder();
  encoder.setPeerTableSize(0);
  assert.deepEqual(encode(encoder, [':method', 'GET']), hex('20 82'));
  assert.deepEqual(encode(encoder, [':method', 'GET']), hex('82'));
});

test('decodes RFC 7541 C.2 field representations', () => {
  const d1 = new HpackDecoder();
  assert.deepEqual(decode(d1, hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')), ['custom-key', 'custom-header']);
  assert.deepEqual(d1.table.entries(), [['custom-key', 'custom-header']]);
  assert.equal(d1.table.size, 55);

  const d2 = new HpackDecoder();
  assert.deepEqual(decode(d2, hex('040c 2f73 616d 706c 652f 7061 7468')), [':path', '/sample/path']);
  assert.equal(d2.table.length, 0);

  const d3 = new HpackDecoder();
  assert.deepEqual(decode(d3, hex('1008 7061 7373 776f 7264 0673 6563 7265 74')), ['password', 'secret']);
  assert.equal(d3.table.length, 0);

  const d4 = new HpackDecoder();
  assert.deepEqual(decode(d4, hex('82')), [':method', 'GET']);
  assert.equal(d4.table.length, 0);
});

test('decodes the RFC 7541 C.3 requests, with the dynamic table after each', () => {
  const d = new HpackDecoder();
  assert.deepEqual(decode(d, hex('8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d')), [
    ':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'www.example.com',
  ]);
  assert.deepEqual(d.table.entries(), [[':authority', 'www.example.com']]);
  assert.equal(d.table.size, 57);

  assert.deepEqual(decode(d, hex('8286 84be 5808 6e6f 2d63 6163 6865')), [
    ':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'www.example.com', 'cache-control', 'no-cache',
  ]);
  assert.deepEqual(d.table.entries(), [
    ['cache-control', 'no-cache'],
    [':authority', 'www.example.com'],
  ]);
  assert.equal(d.table.size, 110);

  assert.deepEqual(decode(d, hex('8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65')), [
    ':method', 'GET', ':scheme', 'https', ':path', '/index.html', ':authority', 'www.example.com', 'custom-key', 'custom-value',
  ]);
  assert.deepEqual(d.table.entries(), [
    ['custom-key', 'custom-value'],
    ['cache-control', 'no-cache'],
    [':authority', 'www.example.com'],
  ]);
  assert.equal(d.table.size, 164);
});

test('evicts oldest entries past the table size (RFC 7541 C.5, a 256-octet table)', () => {
  const d = new HpackDecoder();
  const date1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
  // The encoder shrinks the table to 256 with a size update at the start of the first block.
  decode(d, hex('3fe1 01'));
  assert.equal(d.table.maxSize, 256);
  assert.deepEqual(
    decode(d, hex(`4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
      2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`)),
    [':status', '302', 'cache-control', 'private', 'date', date1, 'location', 'https://www.example.com'],
  );
  assert.equal(d.table.size, 222);
  assert.deepEqual(decode(d, hex('4803 3330 37c1 c0bf')), [
    ':status', '307', 'cache-control', 'private', 'date', date1, 'location', 'https://www.example.com',
  ]);
  assert.deepEqual(d.table.entries(), [
    [':status', '307'],
    ['location', 'https://www.example.com'],
    ['date', date1],
    ['cache-control', 'private'],
  ]);
  assert.equal(d.table.size, 222);
  const cookie = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
  assert.deepEqual(
    decode(d, hex(`88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
      54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
      5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31`)),
    [':status', '200', 'cache-control', 'private', 'date', 'Mon, 21 Oct 2013 20:13:22 GMT', 'location', 'https://www.example.com', 'content-encoding', 'gzip', 'set-cookie', cookie],
  );
  assert.deepEqual(d.table.entries(), [
    ['set-cookie', cookie],
    ['content-encoding', 'gzip'],
    ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
  ]);
  assert.equal(d.table.size, 215);
});

function assertCompressionError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof H2ConnectionError);
    assert.equal(err.errorCode, ErrorCode.COMPRESSION_ERROR);
    assert.match(err.message, message);
    return true;
  });
}

test('RFC 7541 C.4: requests with Huffman-coded strings, on one decoder', () => {
  const d = new HpackDecoder();
  assert.deepEqual(decode(d, hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff')), [':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'www.example.com']);
  assert.deepEqual(decode(d, hex('8286 84be 5886 a8eb 1064 9cbf')), [':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'www.example.com', 'cache-control', 'no-cache']);
  assert.deepEqual(decode(d, hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf')), [
    ':method', 'GET', ':scheme', 'https', ':path', '/index.html', ':authority', 'www.example.com', 'custom-key', 'custom-value',
  ]);
  assert.equal(d.table.size, 164);
});

test('bad Huffman strings are COMPRESSION_ERRORs: padding not of 1s, padding of a byte or more, EOS', () => {
  // 'a' is 00011: padded with 111 it is 0x1f; padded with 000 it is not valid.
  assert.deepEqual(decode(new HpackDecoder(), hex('00 81 1f 81 1f')), ['a', 'a']);
  assertCompressionError(() => decode(new HpackDecoder(), hex('00 81 18 81 1f')), /Huffman: invalid padding/);
  assertCompressionError(() => decode(new HpackDecoder(), hex('00 82 1f ff 81 1f')), /Huffman: invalid padding/);
  assertCompressionError(() => decode(new HpackDecoder(), hex('00 84 ffff ffff 81 1f')), /Huffman: EOS inside a string literal/);
});

test('malformed blocks are COMPRESSION_ERRORs', () => {
  assertCompressionError(() => decode(new HpackDecoder(), hex('80')), /index 0/);
  assertCompressionError(() => decode(new HpackDecoder(), hex('be')), /not in the table/);
  assertCompressionError(() => decode(new HpackDecoder(), hex('0f')), /truncated/);
  assertCompressionError(() => decode(new HpackDecoder(), hex('00 05 6162')), /past the end/);
  assertCompressionError(() => decode(new HpackDecoder(), hex('3fe2 1f')), /exceeds/);
  assertCompressionError(() => decode(new HpackDecoder(), hex('82 20')), /after a header field/);
  assertCompressionError(() => decode(new HpackDecoder(), hex('ff ff ff ff ff 0f')), /overflow/);
});

test('fields past the header list limit are decoded but not returned, and the size says so', () => {
  const d = new HpackDecoder(4096, 100);
  const out: string[] = [];
  const size = d.decode(hex('82 400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572 82'), out);
  assert.equal(size, 42 + 55 + 42);
  assert.deepEqual(out, [':method', 'GET', 'custom-key', 'custom-header']);
  assert.equal(d.table.length, 1);
});
