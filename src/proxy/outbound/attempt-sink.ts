// One attempt of a routed request at one endpoint. Before the response head it may still turn into a
// retry: a retryable answer is drained and dropped (so the endpoint's own telemetry sees it whole)
// and the request tries again. Once a head is passed on, the attempt is committed and streams through.
import { performance } from 'node:perf_hooks';
import { ProxyError } from '../errors.js';
import { headerValue } from '../http/headers.js';
import type { HeaderList, ResponseSink, Trailers } from '../http/types.js';
import type { HttpMetrics } from '../metrics/http-metrics.js';

/** What an attempt asks of the request it belongs to. */
export interface AttemptOwner {
  /** Whether to try again after this answer; when true the owner has scheduled the retry. */
  retryAfter(status: number, grpcStatus: number | undefined): boolean;
  /** This attempt's answer goes to the caller. */
  commit(attempt: AttemptSink): ResponseSink | null;
  settled(attempt: AttemptSink): void;
}

export class AttemptSink implements ResponseSink {
  private readonly startedAt = performance.now();
  private out: ResponseSink | null = null;
  /** Dropped: retried, timed out or cancelled; what the endpoint still sends is discarded. */
  private dropped = false;
  private recorded = false;
  private cancelUpstream: ((h2Code: number) => void) | null = null;
  /** A resume callback the upstream gave before the attempt was committed. */
  private pendingDrain: (() => void) | null = null;

  constructor(
    private readonly owner: AttemptOwner,
    /** route_actual_*: every attempt counted. */
    private readonly actual: HttpMetrics,
    private readonly isFailure: (status: number, grpc: number | undefined) => boolean,
  ) {
    actual.request();
  }

  get started(): boolean {
    return this.out?.started ?? false;
  }

  start(status: number, headers: HeaderList, endStream: boolean): void {
    if (this.dropped) return;
    const grpcText = headerValue(headers, 'grpc-status');
    const grpc = grpcText === undefined ? undefined : Number(grpcText);
    this.record(status, grpc, undefined);
    if (this.out === null) {
      if (this.owner.retryAfter(status, grpc)) {
        this.dropped = true;
        if (endStream) this.owner.settled(this);
        return;
      }
      this.out = this.owner.commit(this);
      if (this.out === null) {
        this.dropped = true;
        return;
      }
      if (this.pendingDrain) this.out.onDrain(this.pendingDrain);
    }
    this.out.start(status, headers, endStream);
    if (endStream) this.owner.settled(this);
  }

  data(chunk: Buffer): boolean {
    return this.dropped || this.out === null ? true : this.out.data(chunk);
  }

  end(trailers: Trailers | null): void {
    if (!this.dropped && this.out !== null) this.out.end(trailers);
    this.owner.settled(this);
  }

  error(err: Error, h2Code?: number): void {
    if (this.dropped) {
      this.owner.settled(this);
      return;
    }
    const status = err instanceof ProxyError ? err.status : 502;
    this.record(status, undefined, err instanceof ProxyError ? err.code : 'LOOM_ERR_PROXY');
    if (this.out === null) {
      if (this.owner.retryAfter(status, undefined)) {
        this.dropped = true;
        this.owner.settled(this);
        return;
      }
      this.out = this.owner.commit(this);
    }
    this.out?.error(err, h2Code);
    this.owner.settled(this);
  }

  onDrain(resume: () => void): void {
    // Only a committed attempt is paced by the caller; a dropped one is drained at once.
    if (this.out !== null) this.out.onDrain(resume);
    else this.pendingDrain = resume;
  }

  onAbort(abort: (h2Code: number) => void): void {
    this.cancelUpstream = abort;
  }

  /** Stops the attempt (a timeout, the caller went away): the upstream stream is reset. */
  cancel(h2Code: number): void {
    if (this.dropped) return;
    this.dropped = true;
    this.cancelUpstream?.(h2Code);
  }

  private record(status: number, grpc: number | undefined, error: string | undefined): void {
    if (this.recorded) return;
    this.recorded = true;
    const failure = error !== undefined || this.isFailure(status, grpc);
    this.actual.response(status, grpc, failure, performance.now() - this.startedAt, error);
  }
}
