// HTTP/1.1 Upgrade (WebSocket and friends): the request head is replayed on a fresh connection to
// the endpoint and the two sockets are then joined byte for byte. The endpoint's 101 (or refusal)
// reaches the client unchanged.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TransportFactory } from '../endpoint/transport.js';
import { forwardTcp } from '../tcp/forward.js';
import { ProxyError } from '../errors.js';
import { PROXY_ERROR_HEADER } from './headers.js';

export function requestHead(req: IncomingMessage): string {
  let head = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return `${head}\r\n`;
}

export function tunnelUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  transport: TransportFactory,
  endpoint: string,
  connectTimeoutMs: number,
): void {
  const socket = client as Socket;
  socket.pause();
  const upstream = forwardTcp(socket, transport('http/1.1', true), endpoint, {
    connectTimeoutMs,
    onConnectError: (err) => rejectUpgrade(client, err),
  });
  upstream.write(requestHead(req));
  if (head.length > 0) upstream.write(head);
}

/** Answers an upgrade request that cannot be forwarded, on the raw socket. */
export function rejectUpgrade(client: Duplex, err: Error): void {
  if (!client.writable) {
    client.destroy();
    return;
  }
  const status = err instanceof ProxyError ? err.status : 502;
  const code = err instanceof ProxyError ? err.code : 'LOOM_ERR_PROXY';
  const body = `${err.message}\n`;
  client.end(
    `HTTP/1.1 ${status} Proxy Error\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `${PROXY_ERROR_HEADER}: ${code}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
