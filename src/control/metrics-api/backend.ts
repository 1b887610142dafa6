// Where the metrics API's numbers come from: the embedded store (the controller scrapes every proxy)
// or the user's Prometheus. Both answer the same questions, phrased by stat-query.ts, so `loom stat`
// means the same with either; rows, resources and their names come from the inventory, not from here.
import type { EdgeSamples } from './edges.js';
import type { TrafficSelector } from './stat-query.js';

/** One row's traffic over the window; fields absent where there was no data. */
export interface Traffic {
  /** Responses (counted, or Prometheus' extrapolated increase). */
  requests: number;
  successes: number;
  /** How long the counts cover when shorter than the window (the embedded store's first to last scrape in it); rates divide by this. */
  coveredMs?: number;
  latencyMs?: { p50: number | undefined; p95: number | undefined; p99: number | undefined };
  tcpConnections?: number;
  readBytes?: number;
  writeBytes?: number;
  /** Route selectors (family `route_`) only: chances to retry by result (retried, budget_exhausted ...). */
  retries?: Record<string, number>;
}

export interface MetricsBackend {
  /** What the controller's start-up line and the API's answers call it. */
  readonly description: string;
  /** The shortest window with an answer, and why (e.g. two scrapes). */
  readonly minWindow: { ms: number; why?: string };
  start(): void;
  stop(): void;
  /** Traffic by row key (`namespace/name`, see rowKey) over the window that ends at `at` (ms since the epoch; now by default). */
  traffic(sel: TrafficSelector, windowMs: number, at?: number): Promise<Map<string, Traffic>>;
  /** Whether each pod's proxy (`namespace/pod`) answered its latest scrape. */
  proxiesUp(): Promise<Map<string, boolean>>;
  /** When each pod's proxy's own certificate expires (`namespace/pod` -> ms since the epoch), from its latest scrape; proxies without one are absent. */
  certExpiries(): Promise<Map<string, number>>;
  /** Outbound responses and inbound client identities over the window, for `loom edges`. */
  edgeSamples(windowMs: number): Promise<EdgeSamples>;
}

/** The seconds a row's counts cover: rates divide by this, not by a window the samples do not fill. */
export function coveredSeconds(t: Traffic, windowMs: number): number {
  return (t.coveredMs || windowMs) / 1000;
}

/** The backend cannot answer (Prometheus down or refusing a query); the message says where and what to do. */
export class MetricsBackendError extends Error {
  readonly code = 'LOOM_ERR_METRICS_BACKEND';
}
