// The embedded metrics backend: the controller scrapes every proxy into a bounded in-memory window
// (an hour and two scrapes) and answers from it; no Prometheus needed.
import type { MetricsBackend, Traffic } from './backend.js';
import type { EdgeSamples } from './edges.js';
import { MetricsScraper, type ScrapeTarget } from './scraper.js';
import { SeriesStore } from './series-store.js';
import type { TrafficSelector } from './stat-query.js';
import { MAX_WINDOW_MS } from './stat-params.js';
import { storeCertExpiries, storeEdgeSamples, storeTraffic } from './store-traffic.js';

/** Scrapes run one after another, so a busy proxy may take longer than a short interval to answer. */
const SCRAPE_TIMEOUT_MS = 2000;

export class EmbeddedBackend implements MetricsBackend {
  readonly store: SeriesStore;
  readonly scraper: MetricsScraper;
  readonly description: string;
  readonly minWindow: { ms: number; why: string };
  private readonly now: () => number;

  constructor(targets: () => readonly ScrapeTarget[], readonly intervalMs: number, opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
    this.store = new SeriesStore(MAX_WINDOW_MS + 2 * intervalMs);
    this.scraper = new MetricsScraper(this.store, targets, { intervalMs, timeoutMs: SCRAPE_TIMEOUT_MS, now: this.now });
    this.description = `embedded (scrapes every proxy every ${intervalMs / 1000}s)`;
    this.minWindow = { ms: 2 * intervalMs, why: 'two scrapes' };
  }

  start(): void {
    this.scraper.start();
  }

  stop(): void {
    this.scraper.stop();
  }

  async traffic(sel: TrafficSelector, windowMs: number, at = this.now()): Promise<Map<string, Traffic>> {
    return storeTraffic(this.store, sel, windowMs, at);
  }

  async proxiesUp(): Promise<Map<string, boolean>> {
    return new Map(this.scraper.targetHealth().map((h) => [`${h.labels.namespace ?? ''}/${h.labels.pod ?? ''}`, h.up]));
  }

  async certExpiries(): Promise<Map<string, number>> {
    // A proxy missing two scrapes is down, and its old certificate says nothing.
    return storeCertExpiries(this.store, 2 * this.intervalMs, this.now());
  }

  async edgeSamples(windowMs: number): Promise<EdgeSamples> {
    return storeEdgeSamples(this.store, windowMs, this.now());
  }
}
