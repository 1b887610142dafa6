// Listening and stopping, the same way in every demo: 127.0.0.1:PORT, one "listening" line on
// stdout, and SIGTERM (or SIGINT) closes everything and exits 0.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { demoName } from './env.js';

const HOST = '127.0.0.1';
/** How long in-flight work may take to finish after SIGTERM before it is cut off. */
const GRACE_MS = 1500;

type Closer = () => Promise<void>;
const closers: Closer[] = [];
let stopping = false;

/** Registers something to close on SIGTERM; closers run together, then the process exits 0. */
export function onShutdown(close: Closer): void {
  closers.push(close);
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${demoName()} stopping on ${signal}`);
  // Clients (gRPC channels, keep-alive pools) would keep the loop alive, so exit explicitly.
  const forced = setTimeout(() => process.exit(0), GRACE_MS + 500);
  forced.unref();
  await Promise.allSettled(closers.map((close) => close()));
  process.exit(0);
}

process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

function announce(port: number): string {
  const addr = `${HOST}:${port}`;
  console.log(`${demoName()} listening on ${addr}`);
  return addr;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** An HTTP/1.1 server on 127.0.0.1:port; resolves to the bound address once listening. */
export function serveHttp(port: number, handler: Handler): Promise<string> {
  const inFlight = new Set<ServerResponse>();
  const server = http.createServer((req, res) => {
    // Once stopping, answers end their connection, so close() need not wait for keep-alive sockets.
    if (stopping) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    const url = new URL(req.url ?? '/', 'http://demo');
    handler(req, res, url).catch((err: unknown) => {
      console.error(`${demoName()}: ${req.method} ${req.url} failed: ${String(err)}`);
      if (!res.headersSent) sendJson(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  onShutdown(
    () =>
      new Promise<void>((resolve) => {
        for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), GRACE_MS).unref();
      }),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve(announce((server.address() as AddressInfo).port)));
  });
}

/** Binds a gRPC server (services already added) on 127.0.0.1:port, plaintext; resolves to the bound address. */
export function serveGrpc(port: number, server: grpc.Server): Promise<string> {
  onShutdown(
    () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  );
  return new Promise((resolve, reject) => {
    server.bindAsync(`${HOST}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) reject(err);
      else resolve(announce(bound));
    });
  });
}

/** Runs main(); a failure to start is one line on stderr and exit code 1. */
export function run(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(`${demoName()}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  sendText(res, status, html, 'text/html; charset=utf-8');
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
