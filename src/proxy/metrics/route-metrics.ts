// Per-route metrics with Linkerd's names: `route_*` counts each request once as the caller sees it
// (after retries), `route_actual_*` counts every attempt, and `route_retry_total` says what became
// of each chance to retry, so a budget's effect can be read from the metrics alone.
import { labelKey, type Labels } from './exposition.js';
import { HttpMetrics } from './http-metrics.js';
import { LATENCY_BUCKETS_MS } from './latency-buckets.js';
import type { Counter, CounterChild, Registry } from './registry.js';

export type RetryOutcome = 'retried' | 'budget_exhausted' | 'limit_reached' | 'not_replayable';

export interface RouteMetrics {
  /** One per request, as the caller sees it. */
  readonly effective: HttpMetrics;
  /** One per attempt sent to a backend. */
  readonly actual: HttpMetrics;
  retry(outcome: RetryOutcome): void;
}

class RouteHandle implements RouteMetrics {
  private readonly outcomes = new Map<RetryOutcome, CounterChild>();
  constructor(
    readonly effective: HttpMetrics,
    readonly actual: HttpMetrics,
    private readonly retries: Counter,
    private readonly labels: Labels,
  ) {}

  retry(outcome: RetryOutcome): void {
    let child = this.outcomes.get(outcome);
    if (child === undefined) {
      child = this.retries.labels({ ...this.labels, result: outcome });
      this.outcomes.set(outcome, child);
    }
    child.inc();
  }
}

export class RouteMetricsFamilies {
  private readonly handles = new Map<string, RouteHandle>();
  private readonly effective;
  private readonly actual;
  private readonly retries: Counter;

  constructor(r: Registry) {
    const families = (prefix: string, what: string) => ({
      requestTotal: r.counter({ name: `${prefix}request_total`, help: `Total count of HTTP requests per route${what}.` }),
      responseTotal: r.counter({ name: `${prefix}response_total`, help: `Total count of HTTP responses per route${what}.` }),
      responseLatencyMs: r.histogram({ name: `${prefix}response_latency_ms`, help: `Elapsed times between a request and its response per route${what}, in milliseconds.`, buckets: LATENCY_BUCKETS_MS }),
    });
    this.effective = families('route_', '');
    this.actual = families('route_actual_', ', counting every attempt (retries included)');
    this.retries = r.counter({ name: 'route_retry_total', help: 'Chances to retry a request per route, by result (retried, budget_exhausted, limit_reached, not_replayable).' });
  }

  /** Labels: direction, dst (the logical authority), rt_route. Equal sets share one handle. */
  route(labels: Labels): RouteMetrics {
    const key = labelKey(labels);
    let handle = this.handles.get(key);
    if (handle === undefined) {
      handle = new RouteHandle(new HttpMetrics(this.effective, { ...labels }), new HttpMetrics(this.actual, { ...labels }), this.retries, { ...labels });
      this.handles.set(key, handle);
    }
    return handle;
  }
}
