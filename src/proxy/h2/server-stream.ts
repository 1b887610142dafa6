// One request stream on a Loom server connection, and the ResponseSink its handler writes to: HEADERS,
// DATA within the peer's windows (data() returns false while too much waits), trailers or END_STREAM,
// and errors answered as the proxy answers them (a status with loom-proxy-error, or a reset).
import { BadRequestError, ProxyError, grpcStatusFor } from '../errors.js';
import { encodeGrpcMessage, isGrpc, PROXY_ERROR_HEADER } from '../http/headers.js';
import type { HeaderList, ResponseSink, Trailers } from '../http/types.js';
import { ErrorCode } from './constants.js';
import { hasTrailers } from './header-fields.js';
import type { H2RequestBody } from './request-body.js';
import { H2Stream, SEND_QUEUE_HIGH } from './stream.js';

/** What a server stream needs from its connection. */
export interface ServerStreamConnection {
  sendResponseHeaders(stream: ServerStream, status: number, headers: HeaderList, endStream: boolean): void;
  writeData(stream: ServerStream, chunk: Buffer): void;
  endData(stream: ServerStream, trailers: Trailers | null): void;
  resetStream(stream: ServerStream, code: number): void;
  creditStream(stream: ServerStream, bytes: number): void;
}

const EMPTY_LIST: HeaderList = [];

export class ServerStream extends H2Stream implements ResponseSink {
  body: H2RequestBody | null = null;
  /** The request's fields, for answering a gRPC client in gRPC's terms. */
  requestHeaders: HeaderList = EMPTY_LIST;
  private responded = false;
  /** The proxy completed or failed the response; a later reset is no abort. */
  private finished = false;
  private abortCode = -1;
  private abortHandler: ((h2Code: number) => void) | null = null;
  private drainHandler: (() => void) | null = null;
  /** Body bytes received while the body's buffer was full, not yet credited. */
  private withheld = 0;

  constructor(private readonly conn: ServerStreamConnection) {
    super();
  }

  get started(): boolean {
    return this.responded;
  }

  start(status: number, headers: HeaderList, endStream: boolean): void {
    if (this.responded) return;
    this.responded = true;
    if (endStream) this.finished = true;
    if (!this.localClosed) this.conn.sendResponseHeaders(this, status, headers, endStream);
  }

  data(chunk: Buffer): boolean {
    if (this.localClosed) return true;
    this.conn.writeData(this, chunk);
    if (this.queuedBytes <= SEND_QUEUE_HIGH) return true;
    this.drainWanted = true;
    return false;
  }

  end(trailers: Trailers | null): void {
    this.finished = true;
    if (this.localClosed) return;
    if (!this.responded) {
      this.conn.resetStream(this, ErrorCode.INTERNAL_ERROR); // a response without a head cannot be sent
      return;
    }
    this.conn.endData(this, hasTrailers(trailers) ? trailers : null);
  }

  error(err: Error, h2Code?: number): void {
    this.finished = true;
    if (this.localClosed) return;
    // Mid-response, or the upstream reset its stream: pass the reset on with its code.
    if (this.responded || h2Code !== undefined) {
      this.conn.resetStream(this, h2Code ?? ErrorCode.INTERNAL_ERROR);
      return;
    }
    this.responded = true;
    const code = err instanceof ProxyError ? err.code : 'LOOM_ERR_PROXY';
    if (isGrpc(this.requestHeaders)) {
      const head = ['content-type', 'application/grpc', 'grpc-status', grpcStatusFor(err), 'grpc-message', encodeGrpcMessage(err.message)];
      this.conn.sendResponseHeaders(this, 200, [...head, PROXY_ERROR_HEADER, code], true);
      return;
    }
    const body = Buffer.from(`${err.message}\n`, 'utf8');
    const head = ['content-type', 'text/plain; charset=utf-8', 'content-length', String(body.length), PROXY_ERROR_HEADER, code];
    this.conn.sendResponseHeaders(this, err instanceof ProxyError ? err.status : 502, head, false);
    this.conn.writeData(this, body);
    this.conn.endData(this, null);
  }

  onDrain(resume: () => void): void {
    this.drainHandler = resume;
  }

  onAbort(abort: (h2Code: number) => void): void {
    if (this.abortCode >= 0) abort(this.abortCode);
    else this.abortHandler = abort;
  }

  /** Answers 431 for a header list larger than we accept. */
  rejectHeaders(limit: number): void {
    this.error(new BadRequestError(`request header fields exceed ${limit} bytes`, 431, 'LOOM_ERR_HEADERS_TOO_LARGE'));
  }

  releaseCredit(): void {
    const bytes = this.withheld;
    this.withheld = 0;
    this.conn.creditStream(this, bytes);
  }

  onHeaders(_fields: string[], endStream: boolean): void {
    // Request trailers end the body; a proxied HTTP/1 or gRPC request has none worth passing on.
    if (endStream) {
      this.body?.push(null);
      return;
    }
    this.conn.resetStream(this, ErrorCode.PROTOCOL_ERROR);
    this.abort(ErrorCode.PROTOCOL_ERROR, 'a second HEADERS frame without END_STREAM');
  }

  onData(data: Buffer, endStream: boolean): void {
    const body = this.body;
    if (body === null || body.destroyed) {
      this.conn.creditStream(this, data.length); // nobody reads it any more
      return;
    }
    if (data.length > 0) {
      if (body.push(data)) this.conn.creditStream(this, data.length);
      else this.withheld += data.length;
    }
    if (endStream) body.push(null);
  }

  onReset(code: number): void {
    this.abort(code, 'the client reset the stream');
  }

  onConnectionLost(err: Error): void {
    this.abort(ErrorCode.CANCEL, err.message);
  }

  onSendDrained(): void {
    this.drainHandler?.();
  }

  /** The response is complete but the client is still sending: its body will not be read. */
  abandonBody(): void {
    if (this.body !== null && !this.body.readableEnded) this.body.destroy();
  }

  private abort(code: number, why: string): void {
    if (this.body !== null && !this.body.readableEnded && !this.body.destroyed) this.body.destroy(new Error(why));
    if (this.finished || this.abortCode >= 0) return;
    this.abortCode = code;
    const handler = this.abortHandler;
    this.abortHandler = null;
    handler?.(code);
  }
}
