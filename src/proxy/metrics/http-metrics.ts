// Per-target HTTP metrics handle: request/response counters and latency, with children looked up by
// a number (or the error code) so the request path builds no label objects or strings.
import type { Labels } from './exposition.js';
import type { Counter, CounterChild, Histogram, HistogramChild } from './registry.js';

export interface HttpFamilies {
  requestTotal: Counter;
  responseTotal: Counter;
  responseLatencyMs: Histogram;
}

interface Outcome {
  total: CounterChild;
  latency: HistogramChild;
}

export class HttpMetrics {
  private readonly requests: CounterChild;
  private readonly outcomes = new Map<number, Outcome>();
  private readonly errorOutcomes = new Map<string, Map<number, Outcome>>();

  constructor(
    private readonly families: HttpFamilies,
    private readonly labels: Labels,
  ) {
    this.requests = families.requestTotal.labels(labels);
  }

  request(): void {
    this.requests.inc();
  }

  /** grpcStatus is undefined for plain HTTP; error is a stable code such as LOOM_ERR_CONNECT. */
  response(statusCode: number, grpcStatus: number | undefined, failure: boolean, latencyMs: number, error?: string): void {
    // Status codes have three digits and gRPC codes are small and non-negative, so this key is unique.
    const key = ((grpcStatus === undefined ? 0 : grpcStatus + 1) * 1000 + statusCode) * 2 + (failure ? 1 : 0);
    const cache = error ? this.errorCache(error) : this.outcomes;
    let outcome = cache.get(key);
    if (outcome === undefined) {
      outcome = this.createOutcome(statusCode, grpcStatus, failure, error ?? '');
      cache.set(key, outcome);
    }
    outcome.total.inc();
    outcome.latency.observe(latencyMs);
  }

  private errorCache(error: string): Map<number, Outcome> {
    let cache = this.errorOutcomes.get(error);
    if (cache === undefined) {
      cache = new Map();
      this.errorOutcomes.set(error, cache);
    }
    return cache;
  }

  private createOutcome(statusCode: number, grpcStatus: number | undefined, failure: boolean, error: string): Outcome {
    const status = { ...this.labels, status_code: String(statusCode) };
    return {
      total: this.families.responseTotal.labels({
        ...status,
        classification: failure ? 'failure' : 'success',
        grpc_status: grpcStatus === undefined ? '' : String(grpcStatus),
        error,
      }),
      latency: this.families.responseLatencyMs.labels(status),
    };
  }
}
