// One request on a Loom client connection: relays the response frames to the request's sink,
// streams the request body under flow control, and maps resets, timeouts and lost connections to
// the proxy's errors. The sink's onAbort resets the stream upstream.
import type { Readable } from 'node:stream';
import { UpstreamError } from '../errors.js';
import type { ProxyRequest, ResponseSink } from '../http/types.js';
import { ErrorCode } from './constants.js';
import { StreamResetError, UnprocessedRequestError } from './errors.js';
import { parseResponseHead, parseTrailers } from './header-fields.js';
import { H2Stream, SEND_QUEUE_HIGH } from './stream.js';

/** What a client stream needs from the connection that carries it. */
export interface ClientStreamConnection {
  writeData(stream: ClientStream, chunk: Buffer): void;
  endData(stream: ClientStream): void;
  resetStream(stream: ClientStream, code: number): void;
  creditStream(stream: ClientStream, bytes: number): void;
  /** Takes a stream back that was queued and never opened. */
  withdraw(stream: ClientStream): void;
}

/** What a client stream needs from the client that owns its connections. */
export interface ClientStreamOwner {
  readonly addr: string;
  /** Sends a request the peer never processed again, on a fresh connection. */
  redispatch(stream: ClientStream): void;
  responseTimeoutError(): Error;
}

export class ClientStream extends H2Stream {
  conn: ClientStreamConnection | null = null;
  /** Response timeout deadline (performance.now() ms), set when the stream opens. */
  deadline = 0;
  responded = false;
  /** The sink has been ended or failed; nothing more goes to it. */
  ended = false;
  private retried = false;
  private bodySender: RequestBodySender | null = null;
  /** Response bytes given to a sink that asked to wait, not yet credited to the peer. */
  private withheld = 0;
  private sinkPaused = false;
  private drainRegistered = false;

  /** The sink's client went away: reset the stream upstream. */
  readonly abort = (code: number): void => {
    this.stopBody();
    this.ended = true;
    const conn = this.conn;
    if (conn === null) return;
    if (this.id === 0) conn.withdraw(this);
    else if (!this.closed) conn.resetStream(this, code || ErrorCode.CANCEL);
  };

  constructor(
    readonly req: ProxyRequest,
    readonly sink: ResponseSink,
    private readonly owner: ClientStreamOwner,
  ) {
    super();
    sink.onAbort(this.abort);
  }

  /** The HEADERS frame went out: start sending the body, if there is one. */
  opened(): void {
    if (this.req.body !== null) this.bodySender = new RequestBodySender(this, this.req.body);
  }

  /** A stream the peer did not process (above its GOAWAY's last stream id): retry or fail. */
  unprocessed(reason: string): void {
    if (this.ended) return;
    if (this.req.body === null && !this.retried) {
      this.retried = true;
      this.prepareRetry();
      this.owner.redispatch(this);
      return;
    }
    this.fail(new UpstreamError(this.owner.addr, new UnprocessedRequestError(reason)));
  }

  /** No response head within the response timeout. */
  timeout(): void {
    if (this.ended) return;
    this.stopBody();
    this.ended = true;
    this.sink.error(this.owner.responseTimeoutError());
    this.conn?.resetStream(this, ErrorCode.CANCEL);
  }

  fail(err: Error, h2Code?: number): void {
    this.stopBody();
    if (this.ended) return;
    this.ended = true;
    this.sink.error(err, h2Code);
  }

  sendBodyChunk(chunk: Buffer): boolean {
    if (this.localClosed || this.conn === null) return true;
    this.conn.writeData(this, chunk);
    if (this.queuedBytes <= SEND_QUEUE_HIGH) return true;
    this.drainWanted = true;
    return false;
  }

  endBody(): void {
    this.bodySender = null;
    this.conn?.endData(this);
  }

  onHeaders(fields: string[], endStream: boolean, oversized: boolean): void {
    if (this.ended) return;
    if (oversized) return this.malformed('header fields larger than our SETTINGS_MAX_HEADER_LIST_SIZE');
    if (!this.responded) {
      const head = parseResponseHead(fields);
      if (typeof head === 'string') return this.malformed(head);
      if (head.status < 200) {
        // 100-continue and other interim responses have nothing to pass on.
        if (endStream) this.malformed('interim response with END_STREAM');
        return;
      }
      this.responded = true;
      if (endStream) this.ended = true;
      this.sink.start(head.status, head.headers, endStream);
      return;
    }
    if (!endStream) return this.malformed('trailers without END_STREAM');
    const trailers = parseTrailers(fields);
    if (typeof trailers === 'string') return this.malformed(trailers);
    this.ended = true;
    this.sink.end(trailers);
  }

  onData(data: Buffer, endStream: boolean): void {
    if (this.ended) {
      this.conn?.creditStream(this, data.length);
      return;
    }
    if (!this.responded) return this.malformed('DATA before the response HEADERS');
    if (data.length > 0) {
      const more = this.sink.data(data);
      if (more && !this.sinkPaused) {
        this.conn?.creditStream(this, data.length);
      } else {
        // Credit waits for the sink's drain, so the peer stops once the stream window is used up.
        this.withheld += data.length;
        if (!more) this.pauseForSink();
      }
    }
    if (endStream) {
      this.ended = true;
      this.sink.end(null);
    }
  }

  onReset(code: number): void {
    this.stopBody();
    if (this.ended) return;
    if (code === ErrorCode.REFUSED_STREAM && !this.responded) return this.unprocessed('stream refused by peer');
    this.fail(new UpstreamError(this.owner.addr, new StreamResetError(code)), code);
  }

  onConnectionLost(err: Error): void {
    this.fail(err);
  }

  onSendDrained(): void {
    this.bodySender?.resume();
  }

  private pauseForSink(): void {
    this.sinkPaused = true;
    if (this.drainRegistered) return;
    this.drainRegistered = true;
    this.sink.onDrain(() => this.onSinkDrain());
  }

  private onSinkDrain(): void {
    this.sinkPaused = false;
    const bytes = this.withheld;
    this.withheld = 0;
    this.conn?.creditStream(this, bytes);
  }

  private malformed(why: string): void {
    this.conn?.resetStream(this, ErrorCode.PROTOCOL_ERROR);
    this.fail(new UpstreamError(this.owner.addr, `malformed response: ${why}`));
  }

  private stopBody(): void {
    this.bodySender?.stop();
    this.bodySender = null;
  }

  private prepareRetry(): void {
    this.conn = null;
    this.id = 0;
    this.closed = false;
    this.localClosed = false;
    this.remoteClosed = false;
    this.endPending = false;
    this.sendQueue = null;
    this.queuedBytes = 0;
    this.sendOffset = 0;
    this.unsentCredit = 0;
  }
}

/** Feeds a request body into its stream, pausing it while the stream's send queue is full. */
class RequestBodySender {
  constructor(
    private readonly stream: ClientStream,
    private readonly body: Readable,
  ) {
    body.on('data', this.onData);
    body.once('end', this.onEnd);
    body.once('error', this.onError);
    if (body.isPaused()) body.resume();
  }

  resume(): void {
    this.body.resume();
  }

  /** What is left of the body is read and dropped, so the client sending it is not left stalled. */
  stop(): void {
    this.body.off('data', this.onData);
    this.body.off('end', this.onEnd);
    this.body.off('error', this.onError);
    this.body.resume();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    if (!this.stream.sendBodyChunk(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) this.body.pause();
  };

  private readonly onEnd = (): void => {
    this.body.off('data', this.onData);
    this.body.off('error', this.onError);
    this.stream.endBody();
  };

  private readonly onError = (err: Error): void => {
    this.stop();
    this.stream.conn?.resetStream(this.stream, ErrorCode.CANCEL);
    this.stream.fail(err);
  };
}
