export { ProxyMetrics, LATENCY_BUCKETS_MS } from './proxy-metrics.js';
export { HttpMetrics } from './http-metrics.js';
export { TcpMetrics } from './tcp-metrics.js';
export { ProcessMetrics } from './process.js';
export {
  Registry,
  Counter,
  Gauge,
  Histogram,
  CounterChild,
  GaugeChild,
  HistogramChild,
  type FamilyOptions,
  type HistogramOptions,
} from './registry.js';
export type { Labels } from './exposition.js';
