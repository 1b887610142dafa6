// The embedded metrics backend's collector: scrapes every proxy's /metrics on an interval into the
// series store, labelled with which workload replica the proxy serves. A proxy that does not answer
// is recorded as down (its last scrape error kept) and never stops the others.
import { parsePromText } from './prom-text.js';
import type { SeriesStore } from './series-store.js';

export interface ScrapeTarget {
  /** The proxy's metrics URL, e.g. http://127.0.0.1:4191/metrics. */
  url: string;
  /** Added to every sample: namespace, workload, pod. */
  labels: Readonly<Record<string, string>>;
  /** The identity the proxy proves, when it has one. */
  identity?: string;
}

export interface TargetHealth {
  url: string;
  labels: Readonly<Record<string, string>>;
  up: boolean;
  lastScrape: number;
  lastError?: string;
}

export interface ScraperOptions {
  intervalMs: number;
  timeoutMs: number;
  now?: () => number;
}

export class MetricsScraper {
  private timer: NodeJS.Timeout | null = null;
  private readonly health = new Map<string, TargetHealth>();
  private readonly now: () => number;

  constructor(
    private readonly store: SeriesStore,
    private readonly targets: () => readonly ScrapeTarget[],
    private readonly opts: ScraperOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      void this.scrapeOnce().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.opts.intervalMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Scrapes every target once, all at the same timestamp, then prunes what fell out of the window. */
  async scrapeOnce(): Promise<void> {
    const at = this.now();
    const targets = this.targets();
    await Promise.all(targets.map((target) => this.scrape(target, at)));
    for (const url of this.health.keys()) if (!targets.some((t) => t.url === url)) this.health.delete(url);
    this.store.prune(at);
  }

  /** Each target's state at its last scrape. */
  targetHealth(): TargetHealth[] {
    return [...this.health.values()];
  }

  private async scrape(target: ScrapeTarget, at: number): Promise<void> {
    try {
      const res = await fetch(target.url, { signal: AbortSignal.timeout(this.opts.timeoutMs) });
      if (res.status !== 200) throw new Error(`answered ${res.status}`);
      this.store.append(target.labels, parsePromText(await res.text()), at);
      this.health.set(target.url, { url: target.url, labels: target.labels, up: true, lastScrape: at });
    } catch (err) {
      this.health.set(target.url, { url: target.url, labels: target.labels, up: false, lastScrape: at, lastError: (err as Error).message });
    }
  }
}
