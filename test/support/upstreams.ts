// Real upstream servers on loopback for end-to-end tests.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import net, { type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Upstream {
  port: number;
  addr: string;
  close(): Promise<void>;
}

function listening(server: net.Server, close: () => void): Promise<Upstream> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        addr: `127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            close();
            server.close(() => done());
          }),
      });
    });
  });
}

/** An HTTP/1.1 server; the default handler echoes who answered, the method, path and body size. */
export function httpUpstream(
  name: string,
  handler?: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Upstream & { server: http.Server }> {
  const server = http.createServer(
    handler ??
      ((req, res) => {
        let size = 0;
        req.on('data', (chunk: Buffer) => (size += chunk.length));
        req.on('end', () => {
          res.setHeader('x-upstream', name);
          res.end(JSON.stringify({ name, method: req.method, url: req.url, host: req.headers.host, size, headers: req.headers }));
        });
      }),
  );
  return listening(server, () => server.closeAllConnections()).then((u) => ({ ...u, server }));
}

/** An h2c server. */
export function h2Upstream(
  handler: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void,
): Promise<Upstream & { server: http2.Http2Server }> {
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', handler);
  return listening(server, () => {
    for (const s of sessions) s.destroy();
  }).then((u) => ({ ...u, server }));
}

/** A raw TCP server. */
export function tcpUpstream(onConnection: (socket: Socket) => void): Promise<Upstream> {
  const sockets = new Set<Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  return listening(server, () => {
    for (const s of sockets) s.destroy();
  });
}

/** Sends raw bytes and collects everything the server sends until it closes (or timeoutMs). */
export function rawExchange(addr: string, payload: string | Buffer, timeoutMs = 3000): Promise<string> {
  const [host, port] = addr.split(':') as [string, string];
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), host);
    let received = '';
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.write(payload);
  });
}

/** Polls until check() is true or the deadline passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
