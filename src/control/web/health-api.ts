// GET /api/health: the mesh at a glance for the dashboard — the control plane answering (it is, or
// this would not be), where its numbers come from, which proxies answered their latest scrape, when
// the identity issuer's certificate and the proxies' own certificates expire, and the Prometheus and
// Grafana the user configured, for the dashboard to link to.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricsApi } from '../metrics-api/metrics-api.js';
import { replyJson } from '../json-reply.js';
import { streamAnswers, wantsEventStream, type Answer } from './live.js';

export const HEALTH_API_PATH = '/api/health';

/** A warning this long before the issuer expires, as `loom check` warns. */
const ISSUER_WARN_MS = 60 * 86_400_000;

/** Proxies renew at 70% of a certificate's lifetime: one with under 20% left has failed to renew. */
const PROXY_CERT_WARN_SHARE = 0.2;

export interface ProxyCertificates {
  /** The proxy whose certificate expires first, and when. */
  soonest: { pod: string; expiresAt: string };
  /** Pods (`namespace/pod`) whose certificate expires soon or has expired: their renewals fail. */
  late: string[];
}

export interface MeshHealth {
  controller: { status: 'ok'; startedAt: string; metricsBackend?: string };
  proxies: { up: number; total: number; down: string[] };
  identity?: { issuerExpiresAt: string; problem?: string; proxies?: ProxyCertificates };
  /** Where the user's own Prometheus and Grafana are, when configured. */
  links: { prometheus?: string; grafana?: string };
}

export interface HealthSources {
  metrics: () => MetricsApi | undefined;
  issuerNotAfter?: Date;
  /** How long issued certificates live, to tell a proxy that failed to renew. */
  issuanceLifetimeMs?: number;
  links?: MeshHealth['links'];
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
    const { metrics, issuerNotAfter, startedAt, links = {}, now = Date.now } = this.sources;
    const api = metrics();
    const health: MeshHealth = { controller: { status: 'ok', startedAt: startedAt.toISOString(), ...(api ? { metricsBackend: api.backend.description } : {}) }, proxies: { up: 0, total: 0, down: [] }, links };
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
      const proxies = api && (await this.proxyCertificates(api));
      health.identity = { issuerExpiresAt: issuerNotAfter.toISOString(), ...(problem ? { problem } : {}), ...(proxies ? { proxies } : {}) };
      if (!problem && proxies && proxies.late.length > 0) {
        health.identity.problem = `${proxies.late.length} prox${proxies.late.length === 1 ? 'y has' : 'ies have'} not renewed a certificate that is about to expire (${proxies.late.slice(0, 3).join(', ')}); check that they reach the control plane`;
      }
    }
    return { status: 200, body: health };
  }

  private async proxyCertificates(api: MetricsApi): Promise<ProxyCertificates | undefined> {
    const expiries = await api.backend.certExpiries().catch(() => undefined);
    if (!expiries || expiries.size === 0) return undefined;
    const { issuanceLifetimeMs, now = Date.now } = this.sources;
    const lateBefore = now() + PROXY_CERT_WARN_SHARE * (issuanceLifetimeMs ?? 0);
    const sorted = [...expiries].sort((a, b) => a[1] - b[1]);
    const [pod, expiresAt] = sorted[0] as [string, number];
    return { soonest: { pod, expiresAt: new Date(expiresAt).toISOString() }, late: sorted.filter(([, at]) => at < lateBefore).map(([p]) => p) };
  }
}
