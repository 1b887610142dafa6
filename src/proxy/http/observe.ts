// The telemetry layer: wraps a ResponseSink to record golden metrics, feed the endpoint's latency
// back to the balancer, write the access log and report to taps. One object per request, no closures.
import { performance } from 'node:perf_hooks';
import type { AccessLog } from '../access-log.js';
import type { EndpointHealth } from '../balance/failure-accrual.js';
import type { PeakEwma } from '../balance/peak-ewma.js';
import { ProxyError } from '../errors.js';
import type { HttpMetrics } from '../metrics/http-metrics.js';
import type { TapHub, TappedRequest } from '../tap/tap-hub.js';
import { ForwardingSink } from './forwarding-sink.js';
import { headerValue } from './headers.js';
import type { HeaderList, ProxyRequest, RequestTarget, ResponseSink } from './types.js';

export interface ObserveContext {
  direction: 'inbound' | 'outbound';
  accessLog: AccessLog | null;
  tap: TapHub;
}

/** What the balancer learns from a response: its latency (peak EWMA) and its outcome (failure accrual). */
export interface EndpointFeedback {
  readonly load: PeakEwma;
  readonly health: EndpointHealth | null;
}

export class ObservedSink extends ForwardingSink {
  private readonly startedAt = performance.now();
  private ewmaStartedAt = -1;
  private status = 0;
  private latencyMs = 0;
  private bytes = 0;
  private done = false;
  private readonly tapped: TappedRequest | null;

  constructor(
    inner: ResponseSink,
    private readonly req: ProxyRequest,
    private readonly metrics: HttpMetrics,
    private readonly endpoint: EndpointFeedback | null,
    private readonly ctx: ObserveContext,
    private readonly target: RequestTarget,
  ) {
    super(inner);
    metrics.request();
    if (endpoint) this.ewmaStartedAt = endpoint.load.start();
    this.tapped = ctx.tap.active ? ctx.tap.open(req, ctx.direction, target) : null;
  }

  start(status: number, headers: HeaderList, endStream: boolean): void {
    this.status = status;
    this.latencyMs = performance.now() - this.startedAt;
    if (this.endpoint) this.endpoint.load.end(this.ewmaStartedAt);
    this.readGrpcStatus(headers);
    this.tapped?.responseInit(status);
    this.inner.start(status, headers, endStream);
    if (endStream) this.finish(undefined);
  }

  override data(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    return this.inner.data(chunk);
  }

  error(err: Error, h2Code?: number): void {
    const beforeResponse = !this.inner.started;
    if (beforeResponse) {
      this.status = err instanceof ProxyError ? err.status : 502;
      this.latencyMs = performance.now() - this.startedAt;
      if (this.endpoint) this.endpoint.load.cancel();
    }
    this.inner.error(err, h2Code);
    this.finish(err instanceof ProxyError ? err.code : 'LOOM_ERR_PROXY');
  }

  protected override finish(error: string | undefined): void {
    if (this.done) return;
    this.done = true;
    const grpc = this.grpcStatus;
    const failure = error !== undefined || this.status >= 500 || (grpc !== undefined && grpc !== 0);
    this.metrics.response(this.status, grpc, failure, this.latencyMs, error);
    this.endpoint?.health?.record(failure);
    this.tapped?.responseEnd(this.status, this.bytes, grpc, error);
    if (this.ctx.accessLog) {
      this.ctx.accessLog.log({
        time: Date.now() - (performance.now() - this.startedAt),
        direction: this.ctx.direction,
        clientAddr: this.req.clientAddr,
        method: this.req.method,
        authority: this.req.authority,
        path: this.req.path,
        httpVersion: this.req.httpVersion,
        status: this.status,
        responseBytes: this.bytes,
        durationMs: performance.now() - this.startedAt,
        userAgent: headerValue(this.req.headers, 'user-agent'),
        grpcStatus: grpc,
        target: this.target.addr,
      });
    }
  }
}
