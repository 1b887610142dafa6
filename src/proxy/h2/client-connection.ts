// The client end of one Loom link: sends the preface and our SETTINGS, holds requests until the
// server's SETTINGS prove it is a Loom proxy, then opens a stream per request within the server's
// concurrency limit. GOAWAY and failures hand streams back to the client to retry or fail.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ConnectError, ConnectTimeoutError, UpstreamError } from '../errors.js';
import { ORIG_PROTO_HEADER } from '../http/headers.js';
import { CLIENT_PREFACE, ErrorCode, MAX_STREAM_ID } from './constants.js';
import { H2Connection } from './connection.js';
import { H2ConnectionError, NotLoomPeerError } from './errors.js';
import type { ClientStream, ClientStreamConnection } from './client-stream.js';
import { DEFAULT_SETTINGS, type LocalSettings } from './settings.js';

export interface ClientConnectionOwner {
  readonly addr: string;
  /** The connection takes no new requests any more (GOAWAY, failure, ids used up). */
  connectionRetired(conn: LoomH2ClientConnection): void;
  /** Requests that were never sent, to go on another connection. */
  redispatch(stream: ClientStream): void;
  /** The server's SETTINGS arrived; `hasMarker` tells whether it is a Loom proxy. */
  handshakeDone(hasMarker: boolean): void;
  /** The server is not a Loom proxy; `unsent` never left this process. */
  notLoomPeer(conn: LoomH2ClientConnection, unsent: ClientStream[]): void;
}

export interface ClientConnectionOptions {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  requireLoomPeer: boolean;
  settings?: Partial<LocalSettings>;
}

export class LoomH2ClientConnection extends H2Connection implements ClientStreamConnection {
  /** 'handshake' until the server's SETTINGS; 'retired' takes no new requests. */
  private state: 'handshake' | 'ready' | 'retired' = 'handshake';
  private nextStreamId = 1;
  /** Requests waiting for the handshake or for a free stream slot. */
  private pending: ClientStream[] = [];
  private connectTimer: NodeJS.Timeout | null;
  private responseTimer: NodeJS.Timeout | null = null;
  /** Close once no stream is left (the client is closing, or GOAWAY arrived). */
  private closeWhenIdle = false;
  private referenced = true;

  constructor(
    socket: Socket,
    private readonly owner: ClientConnectionOwner,
    private readonly opts: ClientConnectionOptions,
  ) {
    super(socket, { ...DEFAULT_SETTINGS, ...opts.settings });
    this.writer.raw(CLIENT_PREFACE);
    this.sendPreamble();
    this.connectTimer = setTimeout(() => this.onConnectTimeout(), opts.connectTimeoutMs);
  }

  /** Whether new requests may still be given to this connection. */
  get acceptsRequests(): boolean {
    return this.state !== 'retired' && !this.closed && !this.closeWhenIdle;
  }

  request(stream: ClientStream): void {
    if (stream.ended) return;
    stream.conn = this;
    const slotFree = this.pending.length === 0 && this.streams.size < this.peerMaxConcurrentStreams;
    if (this.state === 'ready' && slotFree) this.open(stream);
    else this.pending.push(stream);
    this.updateRef();
  }

  /** Ends the connection once its streams and queued requests are done. */
  closeWhenDone(): void {
    this.closeWhenIdle = true;
    this.closeIfIdle();
  }

  writeData(stream: ClientStream, chunk: Buffer): void {
    this.scheduler.write(stream, chunk);
  }

  endData(stream: ClientStream): void {
    this.scheduler.end(stream, null);
  }

  withdraw(stream: ClientStream): void {
    const i = this.pending.indexOf(stream);
    if (i >= 0) this.pending.splice(i, 1);
    this.closeIfIdle();
  }

  private open(stream: ClientStream): void {
    const req = stream.req;
    stream.id = this.nextStreamId;
    this.nextStreamId += 2;
    this.openStream(stream);
    const encoder = this.encoder;
    encoder.begin();
    encoder.field(':method', req.method);
    encoder.field(':scheme', req.scheme);
    encoder.field(':authority', req.authority);
    encoder.field(':path', req.path);
    encoder.list(req.headers);
    if (req.httpVersion === '1.1') encoder.field(ORIG_PROTO_HEADER, 'HTTP/1.1');
    const endStream = req.body === null;
    this.writer.headers(stream.id, encoder.finish(), endStream, this.scheduler.maxFrameSize);
    if (endStream) stream.localClosed = true;
    if (this.opts.responseTimeoutMs > 0) {
      stream.deadline = performance.now() + this.opts.responseTimeoutMs;
      this.armResponseTimer(stream.deadline);
    }
    // Stream ids are not reused: a connection that used them up leaves the field to a new one.
    if (this.nextStreamId > MAX_STREAM_ID) this.retire();
    stream.opened();
  }

  protected onPeerSettings(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    if (this.opts.requireLoomPeer && !this.peerHasLoomMarker) {
      // Nothing was sent yet: every queued request can go another way.
      const unsent = this.pending;
      this.pending = [];
      for (const stream of unsent) stream.conn = null;
      this.state = 'retired';
      this.writer.goAway(0, ErrorCode.NO_ERROR, 'not a Loom peer');
      this.closeSocket();
      this.shutdown(new NotLoomPeerError(this.owner.addr));
      this.owner.notLoomPeer(this, unsent);
      return;
    }
    if (this.state === 'handshake') this.state = 'ready';
    this.owner.handshakeDone(this.peerHasLoomMarker);
    this.openPending();
  }

  protected onUnknownStreamHeaders(id: number): void {
    if (this.isIdle(id)) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, `HEADERS on stream ${id}, which we never opened`);
    // Otherwise a stream we reset; its block was decoded to keep HPACK in step.
  }

  protected isIdle(id: number): boolean {
    // Even ids are the server's, and we never let it open streams (no push).
    return id % 2 === 0 || id >= this.nextStreamId;
  }

  protected onGoAway(lastStreamId: number): void {
    this.retire();
    this.closeWhenIdle = true;
    // Streams above lastStreamId were not processed and may be sent again (§6.8).
    for (const s of [...this.streams.values()]) {
      if (s.id <= lastStreamId) continue;
      const stream = s as ClientStream;
      this.closeStream(stream);
      stream.unprocessed('the peer went away before processing it');
    }
    this.closeIfIdle();
  }

  protected onPingAck(): void {
    // We send no PING of our own.
  }

  protected onStreamClosed(): void {
    this.openPending();
    this.closeIfIdle();
    this.updateRef();
  }

  protected onShutdown(err: Error): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.responseTimer) clearTimeout(this.responseTimer);
    this.connectTimer = null;
    this.responseTimer = null;
    const wasHandshake = this.state === 'handshake';
    this.retire();
    const pending = this.pending;
    this.pending = [];
    for (const stream of pending) {
      stream.conn = null;
      // Never sent: after a working connection they get a new one; a failed connect fails them.
      if (wasHandshake) stream.fail(this.connectionError(err, true));
      else this.owner.redispatch(stream);
    }
    this.writer.close();
  }

  protected override shutdown(err: Error): void {
    // Streams learn about a lost connection in the proxy's terms.
    super.shutdown(this.closed ? err : this.connectionError(err, this.state === 'handshake'));
  }

  protected lastPeerStreamId(): number {
    return 0;
  }

  private connectionError(err: Error, beforeReady: boolean): Error {
    if (err instanceof ConnectTimeoutError || err instanceof ConnectError || err instanceof UpstreamError) return err;
    return beforeReady ? new ConnectError(this.owner.addr, err) : new UpstreamError(this.owner.addr, err);
  }

  private onConnectTimeout(): void {
    this.connectTimer = null;
    if (this.state !== 'handshake' || this.closed) return;
    this.shutdown(new ConnectTimeoutError(this.owner.addr, this.opts.connectTimeoutMs));
    this.socket.destroy();
  }

  private openPending(): void {
    while (this.pending.length > 0 && this.state !== 'handshake' && !this.closed) {
      if (this.state === 'retired') {
        // A GOAWAY came first: these go on the next connection.
        const pending = this.pending;
        this.pending = [];
        for (const stream of pending) {
          stream.conn = null;
          this.owner.redispatch(stream);
        }
        return;
      }
      if (this.streams.size >= this.peerMaxConcurrentStreams) return;
      this.open(this.pending.shift() as ClientStream);
    }
  }

  private retire(): void {
    if (this.state === 'retired') return;
    this.state = 'retired';
    this.owner.connectionRetired(this);
  }

  private closeIfIdle(): void {
    if (!this.closeWhenIdle || this.closed || this.streams.size > 0 || this.pending.length > 0) return;
    this.writer.goAway(0, ErrorCode.NO_ERROR, 'done');
    this.closeSocket();
    this.shutdown(new Error('connection closed by the client'));
  }

  /** Keeps the process alive only while requests are in flight, like node:http2's unref'd session. */
  private updateRef(): void {
    const busy = this.streams.size > 0 || this.pending.length > 0;
    if (busy === this.referenced) return;
    this.referenced = busy;
    if (busy) this.socket.ref();
    else this.socket.unref();
  }

  private armResponseTimer(deadline: number): void {
    if (this.responseTimer !== null) return;
    this.responseTimer = setTimeout(() => this.expireResponses(), Math.max(1, deadline - performance.now()));
    this.responseTimer.unref();
  }

  /** Streams open in id order with the same timeout, so deadlines rise along the map. */
  private expireResponses(): void {
    this.responseTimer = null;
    const now = performance.now();
    for (const s of this.streams.values()) {
      const stream = s as ClientStream;
      if (stream.responded || stream.ended) continue;
      if (stream.deadline > now) {
        this.armResponseTimer(stream.deadline);
        return;
      }
      stream.timeout();
    }
  }
}
