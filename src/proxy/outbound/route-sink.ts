// The caller's side of a routed request: counts it once in the route's metrics (whatever retries
// happened below), classifies it with the route's failure classes, and applies the route's response
// header modifier and the dtab override report on the way out.
import { performance } from 'node:perf_hooks';
import type { RoutePlan } from '../../routing/route-plan.js';
import { ProxyError } from '../errors.js';
import { ForwardingSink } from '../http/forwarding-sink.js';
import { editHeaders } from '../http/header-edit.js';
import type { HeaderList, ResponseSink } from '../http/types.js';
import type { RouteMetrics } from '../metrics/route-metrics.js';

/** Reported on the response when the request's dtab override header did not parse. */
export const DTAB_ERROR_HEADER = 'loom-dtab-error';

export class RouteSink extends ForwardingSink {
  private readonly startedAt = performance.now();
  private status = 0;
  private latencyMs = 0;
  private done = false;

  constructor(
    inner: ResponseSink,
    private readonly plan: RoutePlan,
    private readonly metrics: RouteMetrics,
    /** Added to the response head (e.g. the dtab override error); null when none. */
    private readonly extraHeaders: HeaderList | null,
  ) {
    super(inner);
    metrics.effective.request();
  }

  start(status: number, headers: HeaderList, endStream: boolean): void {
    this.status = status;
    this.latencyMs = performance.now() - this.startedAt;
    this.readGrpcStatus(headers);
    let out = this.plan.responseHeaders ? editHeaders(headers, this.plan.responseHeaders) : headers;
    if (this.extraHeaders) out = out.concat(this.extraHeaders);
    this.inner.start(status, out, endStream);
    if (endStream) this.finish(undefined);
  }

  error(err: Error, h2Code?: number): void {
    if (!this.inner.started) {
      this.status = err instanceof ProxyError ? err.status : 502;
      this.latencyMs = performance.now() - this.startedAt;
    }
    this.inner.error(err, h2Code);
    this.finish(err instanceof ProxyError ? err.code : 'LOOM_ERR_PROXY');
  }

  protected override finish(error: string | undefined): void {
    if (this.done) return;
    this.done = true;
    const failure = error !== undefined || this.plan.isFailure(this.status, this.grpcStatus);
    this.metrics.effective.response(this.status, this.grpcStatus, failure, this.latencyMs, error);
  }
}
