// A small emoji-voting store for the metrics API's tests: voting served 100 calls from web in a minute.
import { Registry } from '../../proxy/metrics/registry.js';
import { RouteMetricsFamilies } from '../../proxy/metrics/route-metrics.js';
import type { MetricsBackend } from './backend.js';
import { parsePromText, type Sample } from './prom-text.js';
import { SeriesStore } from './series-store.js';
import { storeCertExpiries, storeTraffic } from './store-traffic.js';

export const VOTING = { namespace: 'emojivoto', workload: 'voting', pod: 'voting-0' };
export const WEB = { namespace: 'emojivoto', workload: 'web', pod: 'web-0' };
const TO_VOTING = { dst_namespace: 'emojivoto', dst_service: 'voting', dst_deployment: 'voting', dst_pod: 'voting-0' };

/** One direction's metrics after `ok` successes and `failed` failures, each taking 3 ms. */
export function served(direction: 'inbound' | 'outbound', ok: number, failed: number, bytes: number, dst: Record<string, string> = {}): Sample[] {
  const base = { direction, authority: 'voting.emojivoto.svc:8080', tls: 'true', ...dst };
  const total = ok + failed;
  const peer = direction === 'inbound' ? 'src' : 'dst';
  return [
    { name: 'response_total', labels: { ...base, classification: 'success', status_code: '200' }, value: ok },
    { name: 'response_total', labels: { ...base, classification: 'failure', status_code: '200' }, value: failed },
    ...[1, 2, 5, 10].map((le) => ({ name: 'response_latency_ms_bucket', labels: { ...base, le: String(le) }, value: le >= 5 ? total : 0 })),
    { name: 'response_latency_ms_bucket', labels: { ...base, le: '+Inf' }, value: total },
    { name: 'tcp_open_connections', labels: { ...base, peer }, value: 2 },
    { name: 'tcp_read_bytes_total', labels: { ...base, peer }, value: bytes },
  ];
}

/** 60 s apart: voting served 90 successes and 10 failures (web sent them), web served nothing. */
export function emojivotoStore(): SeriesStore {
  const store = new SeriesStore(3_600_000);
  store.append(VOTING, served('inbound', 100, 0, 1000), 0);
  store.append(VOTING, served('inbound', 190, 10, 7000), 60_000);
  store.append(WEB, [...served('inbound', 5, 0, 0), ...served('outbound', 100, 0, 500, TO_VOTING)], 0);
  store.append(WEB, [...served('inbound', 5, 0, 0), ...served('outbound', 190, 10, 6500, TO_VOTING)], 60_000);
  return store;
}

/** A backend over `store` as the embedded one answers at `now`, with the given proxies' health. */
export function storeBackend(store: SeriesStore, now: number, up: ReadonlyMap<string, boolean> = new Map()): MetricsBackend {
  return {
    description: 'test',
    minWindow: { ms: 1000 },
    start: () => undefined,
    stop: () => undefined,
    traffic: async (sel, windowMs, at = now) => storeTraffic(store, sel, windowMs, at),
    proxiesUp: async () => new Map(up),
    certExpiries: async () => storeCertExpiries(store, 10_000, now),
    edgeSamples: async () => ({ outbound: [], clients: [] }),
  };
}

/**
 * A client's outbound proxy taking routes: the proxy's own route metrics, scraped as the exposition
 * text it serves, so the store sees the names and labels real proxies export.
 */
export class RouteCalls {
  private readonly registry = new Registry();
  private readonly families = new RouteMetricsFamilies(this.registry);

  /** One request: an attempt per status, each but the last retried; the caller gets the last, after `ms` per attempt. */
  call(dst: string, route: string, statuses: readonly number[], ms = 3): this {
    const m = this.families.route({ direction: 'outbound', dst, rt_route: route });
    m.effective.request();
    statuses.forEach((status, i) => {
      m.actual.request();
      m.actual.response(status, undefined, status >= 500, ms);
      if (i < statuses.length - 1) m.retry('retried');
    });
    const answer = statuses.at(-1) ?? 200;
    m.effective.response(answer, undefined, answer >= 500, ms * statuses.length);
    return this;
  }

  /** `call` n times. */
  calls(n: number, dst: string, route: string, statuses: readonly number[], ms = 3): this {
    for (let i = 0; i < n; i++) this.call(dst, route, statuses, ms);
    return this;
  }

  scrape(): Sample[] {
    return parsePromText(this.registry.render());
  }
}
