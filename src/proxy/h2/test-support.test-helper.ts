// Shared pieces of the h2 tests: a Loom server on a port, a sink that records what it is given
// (optionally reading slowly), an echo handler, and a raw-frame peer.
import { createHash, type Hash } from 'node:crypto';
import net, { type AddressInfo, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { HeaderList, ProxyRequest, ResponseSink, Trailers } from '../http/types.js';
import { CLIENT_PREFACE, FrameType } from './constants.js';
import { encodeFrame, FrameReader } from './frames.js';
import { serveLoomH2, type LoomH2Handler, type LoomH2ServerConnection, type LoomH2ServerOptions } from './server.js';

export interface TestServer {
  port: number;
  connections: Set<LoomH2ServerConnection>;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

export async function startLoomServer(handle: LoomH2Handler, opts?: LoomH2ServerOptions): Promise<TestServer> {
  const connections = new Set<LoomH2ServerConnection>();
  const sockets = new Set<Socket>();
  const server: Server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    const conn = serveLoomH2(socket, handle, opts);
    connections.add(conn);
    socket.once('close', () => {
      sockets.delete(socket);
      connections.delete(conn);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Records a response. With `slowReadMs`, data() asks to wait after every chunk and drains later. */
export class RecordingSink implements ResponseSink {
  status = 0;
  headers: HeaderList = [];
  chunks: Buffer[] = [];
  bytes = 0;
  trailers: Trailers | null = null;
  err: Error | undefined;
  errCode: number | undefined;
  endStream = false;
  started = false;
  abortHandler: ((code: number) => void) | null = null;
  private readonly hash: Hash = createHash('sha256');
  private drainHandler: (() => void) | null = null;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(
    private readonly opts: { slowReadMs?: number; keepChunks?: boolean } = {},
  ) {}

  start(status: number, headers: HeaderList, endStream: boolean): void {
    this.started = true;
    this.status = status;
    this.headers = headers;
    this.endStream = endStream;
    if (endStream) this.resolveDone();
  }

  data(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (this.opts.keepChunks !== false) this.chunks.push(Buffer.from(chunk));
    if (this.opts.slowReadMs === undefined) return true;
    setTimeout(() => this.drainHandler?.(), this.opts.slowReadMs);
    return false;
  }

  end(trailers: Trailers | null): void {
    this.trailers = trailers;
    this.resolveDone();
  }

  error(err: Error, h2Code?: number): void {
    this.err = err;
    this.errCode = h2Code;
    this.resolveDone();
  }

  onDrain(resume: () => void): void {
    this.drainHandler = resume;
  }

  onAbort(abort: (h2Code: number) => void): void {
    this.abortHandler = abort;
  }

  digest(): string {
    return this.hash.copy().digest('hex');
  }

  get body(): Buffer {
    return Buffer.concat(this.chunks);
  }

  header(name: string): string | undefined {
    for (let i = 0; i < this.headers.length; i += 2) if (this.headers[i] === name) return this.headers[i + 1];
    return undefined;
  }
}

/** Answers 200 with the request body, and the request's method, path and protocol in headers. */
export const echoHandler: LoomH2Handler = (req, sink) => {
  const head = ['x-method', req.method, 'x-path', req.path, 'x-http-version', req.httpVersion, 'x-authority', req.authority];
  if (req.body === null) {
    sink.start(200, head, false);
    sink.end(null);
    return;
  }
  sink.start(200, head, false);
  const body = req.body;
  body.on('data', (chunk: Buffer) => {
    if (!sink.data(chunk)) body.pause();
  });
  sink.onDrain(() => body.resume());
  body.once('end', () => sink.end(null));
  body.once('error', (err) => sink.error(err));
};

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function request(overrides: Partial<ProxyRequest> = {}): ProxyRequest {
  return {
    method: 'GET',
    scheme: 'http',
    authority: 'svc.test:80',
    path: '/',
    headers: ['user-agent', 'loom-test'],
    body: null,
    httpVersion: '2',
    clientAddr: '127.0.0.1',
    clientId: '',
    ...overrides,
  };
}

export function bodyOf(data: Buffer, chunkSize = 65_536): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += chunkSize) chunks.push(data.subarray(at, at + chunkSize));
  return Readable.from(chunks, { objectMode: false });
}

export interface RawFrame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** A client that speaks raw frames, for what no well-behaved peer would send. */
export class RawPeer {
  readonly frames: RawFrame[] = [];
  closed = false;
  private readonly reader = new FrameReader(
    {
      onFrame: (type, flags, streamId, payload) => {
        this.frames.push({ type, flags, streamId, payload: Buffer.from(payload) });
        this.wake();
      },
    },
    16_777_215,
  );
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static async connect(port: number, preface: Buffer[] = [CLIENT_PREFACE]): Promise<RawPeer> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const peer = new RawPeer(socket);
    for (const b of preface) socket.write(b);
    return peer;
  }

  send(type: number, flags: number, streamId: number, payload?: Buffer): void {
    this.socket.write(encodeFrame(type, flags, streamId, payload));
  }

  /** Resolves with the first frame (from the start) matching `test`. */
  async waitFor(test: (f: RawFrame) => boolean, timeoutMs = 3000): Promise<RawFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(test);
      if (found) return found;
      if (this.closed) throw new Error('connection closed before the frame arrived');
      if (Date.now() > deadline) throw new Error('timed out waiting for a frame');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async waitClosed(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('the connection stayed open');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  goAway(): RawFrame | undefined {
    return this.frames.find((f) => f.type === FrameType.GOAWAY);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export async function waitUntil(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A GOAWAY frame's payload, decoded. */
export function parseGoAway(payload: Buffer): { lastStreamId: number; code: number; debug: string } {
  return {
    lastStreamId: payload.readUInt32BE(0) & 0x7fffffff,
    code: payload.readUInt32BE(4),
    debug: payload.toString('utf8', 8),
  };
}
