// The metrics API on the controller's admin port: GET /api/stat, /api/edges, /api/routes and
// /api/graph, for the CLI and the dashboard (which asks for each as a live event stream, and for
// /api/stat's recent past with `history=15m` so its charts do not start empty). Resources
// come from the inventory (the platform's pods, the index's services); numbers from the backend — the
// embedded store or the user's Prometheus.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MetricsBackendError, type MetricsBackend } from './backend.js';
import { replyJson } from '../json-reply.js';
import { streamAnswers, wantsEventStream } from '../web/live.js';
import { edges, edgeTargets } from './edges.js';
import { serviceGraph } from './graph.js';
import { unknownRef, type Inventory } from './inventory.js';
import { routes } from './routes.js';
import { stat, type StatRow } from './stat.js';
import type { StatQuery } from './stat-query.js';
import { MAX_WINDOW_MS, parseResourceRef, parseStatParams, parseWindow, StatParamError } from './stat-params.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** The longest past a chart may ask for: the embedded store keeps an hour, and a point looks a window back. */
export const MAX_HISTORY_MS = 30 * 60_000;
/** A history answer has at most this many points, however long its span. */
const HISTORY_POINTS = 60;

export interface StatHistoryPoint {
  /** Where the point's window ends, ms since the epoch. */
  at: number;
  rows: StatRow[];
}

export class MetricsApi {
  constructor(
    readonly backend: MetricsBackend,
    private readonly inventory: Inventory,
    /** How often a live answer is sent again: the scrape interval. */
    private readonly liveEveryMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.backend.start();
  }

  /** The meshed pods there are, whether or not their proxies answer. */
  pods(): ReturnType<Inventory['pods']> {
    return this.inventory.pods();
  }

  stop(): void {
    this.backend.stop();
  }

  /** Answers GET /api/stat, /api/edges and /api/routes; false when the path is not this API's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://controller');
    if (req.method !== 'GET' || !PATHS.includes(url.pathname)) return false;
    if (wantsEventStream(req)) {
      streamAnswers(req, res, () => this.answer(url), this.liveEveryMs);
      return true;
    }
    void this.answer(url).then(
      ({ status, body }) => replyJson(res, status, body),
      (err: unknown) => replyJson(res, 500, { error: `the metrics API failed: ${(err as Error).message}` }),
    );
    return true;
  }

  private async answer(url: URL): Promise<Answer> {
    const windowText = url.searchParams.get('window') ?? '1m';
    const windowMs = parseWindow(windowText);
    const { ms: min, why } = this.backend.minWindow;
    if (windowMs === undefined || windowMs < min || windowMs > MAX_WINDOW_MS) {
      return { status: 400, body: { error: `window "${windowText}" must be a duration from ${min / 1000}s${why ? ` (${why})` : ''} to 1h, e.g. 30s, 1m, 1h` } };
    }
    const base = { windowMs, backend: this.backend.description };
    try {
      if (url.pathname === '/api/edges') {
        const namespace = url.searchParams.get('namespace') ?? undefined;
        return { status: 200, body: { ...base, edges: edges(await this.backend.edgeSamples(windowMs), edgeTargets(this.inventory), namespace ? { namespace } : {}) } };
      }
      if (url.pathname === '/api/routes') return await this.routes(url.searchParams, windowMs, base);
      if (url.pathname === '/api/graph') {
        const namespace = url.searchParams.get('namespace') ?? undefined;
        return { status: 200, body: { ...base, ...(await serviceGraph(this.backend, this.inventory, { windowMs, ...(namespace ? { namespace } : {}) })) } };
      }
      const q = parseStatParams(url.searchParams, windowMs);
      const unknown = (q.to && unknownRef(this.inventory, 'to', q.to)) || (q.from && unknownRef(this.inventory, 'from', q.from));
      if (unknown) return { status: 404, body: { error: unknown } };
      const history = url.searchParams.get('history');
      if (history !== null) return await this.history(q, history, base);
      return { status: 200, body: { ...base, rows: await stat(this.backend, this.inventory, q) } };
    } catch (err) {
      if (err instanceof StatParamError) return { status: 400, body: { error: err.message } };
      if (err instanceof MetricsBackendError) return { status: 502, body: { error: err.message, code: err.code } };
      throw err;
    }
  }

  /** Rows at evenly spaced past moments up to now, oldest first, each over the same window. */
  private async history(q: StatQuery, spanText: string, base: Record<string, unknown>): Promise<Answer> {
    const spanMs = parseWindow(spanText);
    if (spanMs === undefined || spanMs < this.liveEveryMs || spanMs > MAX_HISTORY_MS) {
      return { status: 400, body: { error: `history "${spanText}" must be a duration from ${this.liveEveryMs / 1000}s to ${MAX_HISTORY_MS / 60_000}m, e.g. 15m` } };
    }
    const stepMs = Math.max(this.liveEveryMs, Math.ceil(spanMs / HISTORY_POINTS));
    const now = this.now();
    const points: StatHistoryPoint[] = [];
    // One moment at a time: a Prometheus backend asks several queries for each.
    for (let at = now - spanMs + stepMs; at <= now; at += stepMs) points.push({ at, rows: await stat(this.backend, this.inventory, { ...q, at }) });
    return { status: 200, body: { ...base, stepMs, history: points } };
  }

  private async routes(params: URLSearchParams, windowMs: number, base: Record<string, unknown>): Promise<Answer> {
    const kind = params.get('kind') ?? 'workload';
    const namespace = params.get('namespace') ?? 'default';
    const name = params.get('name') ?? '';
    if ((kind !== 'workload' && kind !== 'pod') || name === '') return { status: 400, body: { error: 'routes are per workload or pod: give kind=workload|pod and a name' } };
    const to = parseResourceRef(params, 'to', namespace);
    if (to !== undefined && (to.kind !== 'service' || to.name === undefined)) {
      return { status: 400, body: { error: 'to: routes are measured toward a service; give to=service/<name> (and toNamespace=...)' } };
    }
    const unknown = to && unknownRef(this.inventory, 'to', to);
    if (unknown) return { status: 404, body: { error: unknown } };
    const rows = await routes(this.backend, this.inventory, { kind, namespace, name, windowMs, ...(to?.name ? { to: { namespace: to.namespace, service: to.name } } : {}) });
    if (rows === undefined) return { status: 404, body: { error: `no ${kind === 'workload' ? 'deploy' : 'pod'}/${name} in namespace ${namespace}; \`loom get workloads\` lists what runs` } };
    return { status: 200, body: { ...base, rows } };
  }
}

const PATHS = ['/api/stat', '/api/edges', '/api/routes', '/api/graph'];
