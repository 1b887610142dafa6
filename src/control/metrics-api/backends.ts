// Which metrics backend the controller runs: the user's Prometheus when given its URL, otherwise the
// embedded store scraping every proxy itself.
import type { MetricsBackend } from './backend.js';
import { EmbeddedBackend } from './embedded-backend.js';
import { PrometheusBackend } from './prometheus-backend.js';
import type { ScrapeTarget } from './scraper.js';

export interface MetricsBackendOptions {
  /** How often the embedded backend scrapes every proxy. */
  scrapeIntervalMs: number;
  /** Ask this Prometheus (its base URL, e.g. http://127.0.0.1:9090) instead of scraping. */
  prometheusUrl?: string;
}

export function metricsBackend(opts: MetricsBackendOptions, targets: () => readonly ScrapeTarget[]): MetricsBackend {
  return opts.prometheusUrl ? new PrometheusBackend(opts.prometheusUrl) : new EmbeddedBackend(targets, opts.scrapeIntervalMs);
}
