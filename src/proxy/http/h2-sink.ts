// Writes a proxied response to an HTTP/2 client stream, with trailers and resets carried through.
import type { Http2Stream, ServerHttp2Stream } from 'node:http2';
import { ErrorCode } from '../h2/constants.js';
import { PROXY_ERROR_HEADER, encodeGrpcMessage, toHeaderObject } from './headers.js';
import type { HeaderList, ResponseSink, Trailers } from './types.js';
import { ProxyError, grpcStatusFor } from '../errors.js';

const NGHTTP2_INTERNAL_ERROR = ErrorCode.INTERNAL_ERROR;
const NGHTTP2_CANCEL = ErrorCode.CANCEL;

export class H2ResponseSink implements ResponseSink {
  started = false;
  /** The response was completed or failed by the proxy itself; a close after that is no abort. */
  private finished = false;
  private trailers: Trailers | null = null;

  constructor(
    private readonly stream: ServerHttp2Stream,
    /** The client asked for trailers (`te: trailers`, as every gRPC client does). */
    private readonly wantsTrailers: boolean,
    private readonly grpc: boolean,
  ) {}

  start(status: number, headers: HeaderList, endStream: boolean): void {
    this.started = true;
    if (endStream) this.finished = true;
    if (this.stream.destroyed) return;
    const head = toHeaderObject(headers, { ':status': status });
    if (endStream) {
      this.stream.respond(head, { endStream: true });
    } else if (this.wantsTrailers) {
      this.stream.respond(head, { waitForTrailers: true });
      this.stream.once('wantTrailers', () => this.stream.sendTrailers(this.trailers ?? {}));
    } else {
      this.stream.respond(head);
    }
  }

  data(chunk: Buffer): boolean {
    return this.stream.destroyed ? true : this.stream.write(chunk);
  }

  end(trailers: Trailers | null): void {
    this.finished = true;
    this.trailers = trailers;
    if (!this.stream.destroyed) this.stream.end();
  }

  error(err: Error, h2Code?: number): void {
    this.finished = true;
    if (this.stream.destroyed) return;
    // Mid-response, or the upstream reset the stream: pass the reset on with its code.
    if (this.started || this.stream.headersSent || h2Code !== undefined) {
      resetStream(this.stream, h2Code ?? NGHTTP2_INTERNAL_ERROR, err);
      return;
    }
    this.started = true;
    const code = err instanceof ProxyError ? err.code : 'LOOM_ERR_PROXY';
    if (this.grpc) {
      this.stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': grpcStatusFor(err),
          'grpc-message': encodeGrpcMessage(err.message),
          [PROXY_ERROR_HEADER]: code,
        },
        { endStream: true },
      );
      return;
    }
    const status = err instanceof ProxyError ? err.status : 502;
    this.stream.respond({ ':status': status, 'content-type': 'text/plain; charset=utf-8', [PROXY_ERROR_HEADER]: code });
    this.stream.end(`${err.message}\n`);
  }

  onDrain(resume: () => void): void {
    this.stream.on('drain', resume);
  }

  onAbort(abort: (h2Code: number) => void): void {
    this.stream.once('close', () => {
      if (!this.finished) abort(this.stream.rstCode || NGHTTP2_CANCEL);
    });
  }
}

/**
 * Resets a stream so the peer sees a failure. close(code) first ends our writable side (END_STREAM),
 * so while it is open the peer would see a clean, truncated end; destroy(err) sends RST_STREAM alone.
 */
export function resetStream(stream: Http2Stream, code: number, err: Error): void {
  if (stream.destroyed) return;
  // Nothing sent yet (a server stream before its HEADERS), or our side already ended: close() is
  // safe and keeps the code; otherwise only destroy() avoids a clean END_STREAM (code becomes INTERNAL_ERROR).
  const unsent = 'headersSent' in stream && !(stream as ServerHttp2Stream).headersSent;
  if (unsent || stream.writableEnded) stream.close(code);
  else stream.destroy(err);
}
