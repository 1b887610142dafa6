import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { clientHelloServerName, isCompleteTlsRecord } from './client-hello.js';

/** The first bytes Node's TLS client sends for `servername`, captured by a plain TCP server. */
async function captureClientHello(servername?: string): Promise<Buffer> {
  let seen = Buffer.alloc(0);
  const server = net.createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      if (isCompleteTlsRecord(seen) === true) socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => {
    const client = tls.connect({ host: '127.0.0.1', port, ...(servername ? { servername } : {}), rejectUnauthorized: false });
    client.on('error', () => resolve());
    client.on('close', () => resolve());
  });
  server.close();
  return seen;
}

test('reads the SNI of a real ClientHello, lower-cased', async () => {
  const hello = await captureClientHello('Web.Emojivoto.serviceaccount.identity.loom.cluster.local');
  assert.equal(isCompleteTlsRecord(hello), true);
  assert.equal(clientHelloServerName(hello), 'web.emojivoto.serviceaccount.identity.loom.cluster.local');
});

test('a ClientHello without SNI has no server name', async () => {
  const hello = await captureClientHello();
  assert.equal(clientHelloServerName(hello), undefined);
});

test('a partial record needs more bytes; other protocols and oversize records are not TLS', async () => {
  const hello = await captureClientHello('a.b');
  assert.equal(isCompleteTlsRecord(hello.subarray(0, 3)), undefined);
  assert.equal(isCompleteTlsRecord(hello.subarray(0, hello.length - 1)), undefined);
  assert.equal(isCompleteTlsRecord(Buffer.from('GET / HTTP/1.1\r\n')), false);
  assert.equal(isCompleteTlsRecord(Buffer.from([0x16, 0x01])), false);
  assert.equal(isCompleteTlsRecord(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff])), false);
});

test('truncated or garbage bodies never throw and yield no name', () => {
  for (let n = 6; n < 80; n++) {
    const junk = Buffer.alloc(n, 0xff);
    junk.writeUInt8(0x16, 0);
    junk.writeUInt16BE(0x0301, 1);
    junk.writeUInt16BE(n - 5, 3);
    junk.writeUInt8(0x01, 5);
    assert.equal(clientHelloServerName(junk), undefined);
  }
});
