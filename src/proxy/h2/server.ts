// The server end of a Loom link: takes a socket whose client sent the preface and the Loom marker
// (see marker.ts and detect.ts), turns each request stream into a ProxyRequest and a ServerStream
// sink, and drains gracefully with the two-step GOAWAY of RFC 9113 §6.8.
import type { Socket } from 'node:net';
import { ORIG_PROTO_HEADER } from '../http/headers.js';
import { peerIdentity } from '../tls/peer-identity.js';
import type { HeaderList, ProxyRequest, ResponseSink, Trailers } from '../http/types.js';
import { CLIENT_PREFACE, ErrorCode, FrameType, MAX_STREAM_ID } from './constants.js';
import { H2Connection } from './connection.js';
import { H2ConnectionError } from './errors.js';
import { parseRequestHead } from './header-fields.js';
import { H2RequestBody } from './request-body.js';
import { ServerStream, type ServerStreamConnection } from './server-stream.js';
import { DEFAULT_SETTINGS, type LocalSettings } from './settings.js';
import type { H2Stream } from './stream.js';

export type LoomH2Handler = (req: ProxyRequest, sink: ResponseSink) => void;

export interface LoomH2ServerOptions {
  settings?: Partial<LocalSettings>;
  /** How long a drain waits for the client to acknowledge the first GOAWAY's PING. */
  drainNoticeMs?: number;
}

const DRAIN_PING = Buffer.from('loomdrn!', 'latin1');

export function serveLoomH2(socket: Socket, handle: LoomH2Handler, opts: LoomH2ServerOptions = {}): LoomH2ServerConnection {
  return new LoomH2ServerConnection(socket, handle, opts);
}

export class LoomH2ServerConnection extends H2Connection implements ServerStreamConnection {
  private prefaceLeft = CLIENT_PREFACE.length;
  private lastStreamId = 0;
  /** 'notice': GOAWAY(2^31-1) sent, waiting for the PING ack; 'final': no new streams, closing when idle. */
  private drain: 'none' | 'notice' | 'final' = 'none';
  private drainTimer: NodeJS.Timeout | null = null;
  private readonly drainNoticeMs: number;
  private readonly clientAddr: string;
  private readonly clientId: string;

  constructor(
    socket: Socket,
    private readonly handle: LoomH2Handler,
    opts: LoomH2ServerOptions,
  ) {
    super(socket, { ...DEFAULT_SETTINGS, ...opts.settings });
    this.drainNoticeMs = opts.drainNoticeMs ?? 1000;
    this.clientAddr = socket.remoteAddress ?? '';
    this.clientId = peerIdentity(socket);
    socket.setNoDelay(true);
    this.sendPreamble();
    // The socket may arrive paused with the detected bytes unshifted; reading resumes here.
    socket.resume();
  }

  /** Open request streams. */
  get activeStreams(): number {
    return this.streams.size;
  }

  /**
   * Graceful drain: GOAWAY(2^31-1) and a PING, so requests already in flight are still taken; on
   * the PING's ack GOAWAY(last stream id); in-flight streams finish, then the socket is ended.
   */
  close(): void {
    if (this.closed || this.drain !== 'none') return;
    this.drain = 'notice';
    this.writer.goAway(MAX_STREAM_ID, ErrorCode.NO_ERROR, 'draining');
    this.writer.frame(FrameType.PING, 0, 0, DRAIN_PING);
    this.drainTimer = setTimeout(() => this.finalGoAway(), this.drainNoticeMs);
    this.drainTimer.unref();
  }

  /** Closes the socket now; open streams are aborted. */
  destroy(): void {
    this.socket.destroy();
  }

  sendResponseHeaders(stream: ServerStream, status: number, headers: HeaderList, endStream: boolean): void {
    if (stream.localClosed) return;
    this.encoder.begin();
    this.encoder.status(status);
    this.encoder.list(headers);
    this.writer.headers(stream.id, this.encoder.finish(), endStream, this.scheduler.maxFrameSize);
    if (endStream) {
      stream.localClosed = true;
      this.maybeClose(stream);
    }
  }

  writeData(stream: ServerStream, chunk: Buffer): void {
    this.scheduler.write(stream, chunk);
  }

  endData(stream: ServerStream, trailers: Trailers | null): void {
    this.scheduler.end(stream, trailers);
  }

  protected override receive(chunk: Buffer): void {
    if (this.prefaceLeft > 0) {
      const seen = CLIENT_PREFACE.length - this.prefaceLeft;
      const n = Math.min(this.prefaceLeft, chunk.length);
      if (chunk.compare(CLIENT_PREFACE, seen, seen + n, 0, n) !== 0) {
        throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, 'not the HTTP/2 client preface');
      }
      this.prefaceLeft -= n;
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    this.reader.push(chunk);
  }

  protected onPeerSettings(): void {
    // The client's marker was checked by detection before this connection was made.
  }

  protected onUnknownStreamHeaders(id: number, fields: string[], endStream: boolean, listSize: number): void {
    if (id % 2 === 0) throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, `client opened even stream ${id}`);
    if (id <= this.lastStreamId) return; // trailers of a stream we already reset
    this.lastStreamId = id;
    if (this.drain === 'final') return; // beyond our GOAWAY: the client knows it was not processed
    if (this.streams.size >= this.local.maxConcurrentStreams) {
      this.writer.rstStream(id, ErrorCode.REFUSED_STREAM);
      return;
    }
    const stream = new ServerStream(this);
    stream.id = id;
    this.openStream(stream);
    stream.remoteClosed = endStream;
    if (listSize > this.local.maxHeaderListSize) {
      stream.requestHeaders = fields; // cut short, but enough to tell a gRPC client
      stream.rejectHeaders(this.local.maxHeaderListSize);
      return;
    }
    const head = parseRequestHead(fields, ORIG_PROTO_HEADER);
    if (typeof head === 'string') {
      this.resetStream(stream, ErrorCode.PROTOCOL_ERROR);
      return;
    }
    stream.requestHeaders = head.headers;
    if (head.method === 'CONNECT') {
      stream.error(new Error('CONNECT is not supported by this proxy'));
      return;
    }
    const body = endStream ? null : new H2RequestBody(stream);
    stream.body = body;
    const req: ProxyRequest = {
      method: head.method,
      scheme: head.scheme,
      authority: head.authority,
      path: head.path,
      headers: head.headers,
      body,
      httpVersion: head.http1 ? '1.1' : '2',
      clientAddr: this.clientAddr,
      clientId: this.clientId,
    };
    try {
      this.handle(req, stream);
    } catch (err) {
      stream.error(err instanceof Error ? err : new Error(String(err)));
    }
  }

  protected isIdle(id: number): boolean {
    return id % 2 === 0 || id > this.lastStreamId;
  }

  protected onGoAway(): void {
    // The client opens no more streams; it closes the socket once its streams are done.
  }

  protected onPingAck(payload: Buffer): void {
    if (this.drain === 'notice' && payload.equals(DRAIN_PING)) this.finalGoAway();
  }

  protected override maybeClose(stream: H2Stream): void {
    if (stream.localClosed && !stream.remoteClosed && !stream.closed) {
      // A complete response while the client still sends: ask it to stop, without error (§8.1).
      this.resetStream(stream, ErrorCode.NO_ERROR);
      (stream as ServerStream).abandonBody();
      return;
    }
    super.maybeClose(stream);
  }

  protected onStreamClosed(): void {
    this.closeIfDrained();
  }

  protected onShutdown(): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    this.writer.close();
  }

  protected lastPeerStreamId(): number {
    return this.lastStreamId;
  }

  private finalGoAway(): void {
    if (this.drain !== 'notice' || this.closed) return;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    this.drain = 'final';
    this.writer.goAway(this.lastStreamId, ErrorCode.NO_ERROR, 'draining');
    this.closeIfDrained();
  }

  private closeIfDrained(): void {
    if (this.drain !== 'final' || this.streams.size > 0 || this.closed) return;
    this.closeSocket();
    this.shutdown(new Error('connection drained'));
  }
}
