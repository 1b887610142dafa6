// A sink that watches a response on its way to another sink: what it does not override passes
// through. It keeps the gRPC status the response ends with (from a trailers-only head or from the
// trailers) and calls finish() once the response has ended.
import { headerValue } from './headers.js';
import type { HeaderList, ResponseSink, Trailers } from './types.js';

export abstract class ForwardingSink implements ResponseSink {
  protected grpcStatus: number | undefined = undefined;

  constructor(protected readonly inner: ResponseSink) {}

  get started(): boolean {
    return this.inner.started;
  }

  abstract start(status: number, headers: HeaderList, endStream: boolean): void;
  abstract error(err: Error, h2Code?: number): void;
  /** The response is over: ended (error undefined) or failed with the error's code. */
  protected abstract finish(error: string | undefined): void;

  /** For start(): a trailers-only response carries its gRPC status in the head. */
  protected readGrpcStatus(headers: HeaderList): void {
    const grpc = headerValue(headers, 'grpc-status');
    if (grpc !== undefined) this.grpcStatus = Number(grpc);
  }

  end(trailers: Trailers | null): void {
    const grpc = trailers?.['grpc-status'];
    if (grpc !== undefined) this.grpcStatus = Number(grpc);
    this.inner.end(trailers);
    this.finish(undefined);
  }

  data(chunk: Buffer): boolean {
    return this.inner.data(chunk);
  }

  onDrain(resume: () => void): void {
    this.inner.onDrain(resume);
  }

  onAbort(abort: (h2Code: number) => void): void {
    this.inner.onAbort(abort);
  }
}
