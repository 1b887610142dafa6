// A sink that watches a response on its way to another sink: what it does not override passes through.
import type { HeaderList, ResponseSink, Trailers } from './types.js';

export abstract class ForwardingSink implements ResponseSink {
  constructor(protected readonly inner: ResponseSink) {}

  get started(): boolean {
    return this.inner.started;
  }

  abstract start(status: number, headers: HeaderList, endStream: boolean): void;
  abstract end(trailers: Trailers | null): void;
  abstract error(err: Error, h2Code?: number): void;

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
