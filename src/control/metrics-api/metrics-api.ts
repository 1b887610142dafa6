// The embedded metrics API: scrapes the proxies into a bounded window and answers stat queries over
// HTTP on the controller's admin port (GET /api/stat, /api/edges), for the CLI and, later, the dashboard.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { edges } from './edges.js';
import { MetricsScraper, type ScrapeTarget } from './scraper.js';
import { SeriesStore } from './series-store.js';
import { stat, type StatKind, type WorkloadTarget } from './stat.js';

const KINDS: readonly StatKind[] = ['namespace', 'workload', 'pod'];

/** Long enough for `loom stat -t 1h`. */
export const MAX_WINDOW_MS = 3_600_000;

export class MetricsApi {
  readonly store: SeriesStore;
  readonly scraper: MetricsScraper;

  constructor(
    private readonly targets: () => readonly ScrapeTarget[],
    readonly intervalMs: number,
  ) {
    this.store = new SeriesStore(MAX_WINDOW_MS + 2 * intervalMs);
    this.scraper = new MetricsScraper(this.store, targets, { intervalMs, timeoutMs: Math.min(2000, intervalMs) });
  }

  start(): void {
    this.scraper.start();
  }

  stop(): void {
    this.scraper.stop();
  }

  /** Answers GET /api/stat and /api/edges; false when the path is not this API's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://controller');
    if (req.method !== 'GET' || (url.pathname !== '/api/stat' && url.pathname !== '/api/edges')) return false;
    const windowMs = parseWindow(url.searchParams.get('window') ?? '1m');
    const min = 2 * this.intervalMs;
    if (windowMs === undefined || windowMs < min || windowMs > MAX_WINDOW_MS) {
      reply(res, 400, { error: `window "${url.searchParams.get('window')}" must be a duration from ${min / 1000}s (two scrapes) to 1h, e.g. 30s, 1m, 1h` });
      return true;
    }
    const namespace = url.searchParams.get('namespace') ?? undefined;
    if (url.pathname === '/api/edges') {
      const targets = this.targets().map((t) => ({ namespace: t.labels.namespace ?? '', workload: t.labels.workload ?? '', ...(t.identity ? { identity: t.identity } : {}) }));
      reply(res, 200, { windowMs, edges: edges(this.store, targets, { windowMs, now: Date.now(), ...(namespace ? { namespace } : {}) }) });
      return true;
    }
    const health = new Map(this.scraper.targetHealth().map((h) => [h.url, h.up]));
    const targets: WorkloadTarget[] = this.targets().map((t) => ({
      namespace: t.labels.namespace ?? '',
      workload: t.labels.workload ?? '',
      pod: t.labels.pod ?? '',
      up: health.get(t.url) ?? false,
    }));
    const kind = (url.searchParams.get('kind') ?? 'workload') as StatKind;
    if (!KINDS.includes(kind)) {
      reply(res, 400, { error: `kind "${kind}" is not one of ${KINDS.join(', ')}` });
      return true;
    }
    const name = url.searchParams.get('name') ?? undefined;
    const rows = stat(this.store, targets, { kind, windowMs, now: Date.now(), ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) });
    reply(res, 200, { windowMs, scrapeIntervalMs: this.intervalMs, rows });
    return true;
  }
}

export function parseWindow(text: string): number | undefined {
  const m = /^(\d+)(s|m|h)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}
