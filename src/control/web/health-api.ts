// GET /api/health: the mesh at a glance for the dashboard — the control plane answering (it is, or
// this would not be), where its numbers come from, which proxies answered their latest scrape, and
// when the identity issuer's certificate expires.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricsApi } from '../metrics-api/metrics-api.js';
import { replyJson } from '../json-reply.js';
import { streamAnswers, wantsEventStream, type Answer } from './live.js';

export const HEALTH_API_PATH = '/api/health';

/** A warning this long before the issuer expires, as `loom check` warns. */
const ISSUER_WARN_MS = 60 * 86_400_000;

export interface MeshHealth {
  controller: { status: 'ok'; startedAt: string; metricsBackend?: string };
  proxies: { up: number; total: number; down: string[] };
  identity?: { issuerExpiresAt: string; problem?: string };
}

export interface HealthSources {
  metrics: () => MetricsApi | undefined;
  issuerNotAfter?: Date;
  startedAt: Date;
  liveEveryMs: number;
  now?: () => number;
}

export class HealthApi {
  constructor(private readonly sources: HealthSources) {}

  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://controller').pathname !== HEALTH_API_PATH) return false;
    if (wantsEventStream(req)) streamAnswers(req, res, () => this.answer(), this.sources.liveEveryMs);
    else void this.answer().then(({ status, body }) => replyJson(res, status, body));
    return true;
  }

  async answer(): Promise<Answer> {
    const { metrics, issuerNotAfter, startedAt, now = Date.now } = this.sources;
    const api = metrics();
    const health: MeshHealth = { controller: { status: 'ok', startedAt: startedAt.toISOString(), ...(api ? { metricsBackend: api.backend.description } : {}) }, proxies: { up: 0, total: 0, down: [] } };
    if (api) {
      const up = await api.backend.proxiesUp().catch(() => new Map<string, boolean>());
      for (const pod of api.pods()) {
        const key = `${pod.namespace}/${pod.pod}`;
        health.proxies.total += 1;
        if (up.get(key) === true) health.proxies.up += 1;
        else health.proxies.down.push(key);
      }
    }
    if (issuerNotAfter) {
      const left = issuerNotAfter.getTime() - now();
      const problem = left <= 0 ? 'the issuer certificate has expired: proxies cannot renew theirs' : left < ISSUER_WARN_MS ? `the issuer certificate expires in ${Math.ceil(left / 86_400_000)} days; rotate it` : undefined;
      health.identity = { issuerExpiresAt: issuerNotAfter.toISOString(), ...(problem ? { problem } : {}) };
    }
    return { status: 200, body: health };
  }
}
