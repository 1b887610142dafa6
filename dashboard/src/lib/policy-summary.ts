// The client policy of a service in words and shares: each route rule's matches, where its traffic
// goes (each backend's configured share beside the share it really gets), and what else the rule
// does (timeouts, retries, faults, header edits, redirects).
import { parseServiceName } from '../../../src/routing/service-name.js';
import type { BackendRef, GRPCRouteResource, HTTPRouteResource, ProfileRoute, RequestMatch, ServiceProfileResource } from '../../../src/resources/index.js';

type HttpRule = HTTPRouteResource['spec']['rules'][number];
type GrpcRule = GRPCRouteResource['spec']['rules'][number];
type HttpMatch = HttpRule['matches'][number];
type GrpcMatch = GrpcRule['matches'][number];

export interface BackendShare {
  /** `<service>.<namespace>.svc:<port>`, as the services API names it. */
  service: string;
  namespace: string;
  name: string;
  weight: number;
  /** The configured share of the rule's traffic, 0–100. */
  percent: number;
}

export interface RuleSummary {
  route: string;
  kind: 'HTTPRoute' | 'GRPCRoute';
  matches: string[];
  backends: BackendShare[];
  settings: string[];
}

const valueMatch = (m: { type: string; value: string }, sep: string): string => (m.type === 'RegularExpression' ? `${sep}~${m.value}` : `${sep}${m.value}`);

export function describeHttpMatch(m: HttpMatch): string {
  const path = m.path.type === 'PathPrefix' ? `${m.path.value.replace(/\/$/, '')}/*` : m.path.type === 'Exact' ? m.path.value : `~${m.path.value}`;
  const parts = [m.method ?? '', path, ...m.headers.map((h) => `${h.name.toLowerCase()}${valueMatch(h, '=')}`), ...m.queryParams.map((q) => `?${q.name}${valueMatch(q, '=')}`)];
  return parts.filter(Boolean).join(' ');
}

export function describeGrpcMatch(m: GrpcMatch): string {
  const method = m.method ? `${m.method.type === 'RegularExpression' ? '~' : ''}${m.method.service ?? '*'}/${m.method.method ?? '*'}` : '*/*';
  return [method, ...m.headers.map((h) => `${h.name.toLowerCase()}${valueMatch(h, '=')}`)].join(' ');
}

/** Each backend's share by weight; a rule with no backends sends to the service it is attached to. */
export function backendShares(refs: readonly BackendRef[], routeNamespace: string, parent: string): BackendShare[] {
  const total = refs.reduce((sum, b) => sum + b.weight, 0);
  if (refs.length === 0) {
    const named = parseServiceName(parent);
    return [{ service: parent, name: named?.service ?? parent, namespace: named?.namespace ?? routeNamespace, weight: 1, percent: 100 }];
  }
  return refs.map((b) => {
    const namespace = b.namespace ?? routeNamespace;
    return { service: `${b.name}.${namespace}.svc:${b.port}`, name: b.name, namespace, weight: b.weight, percent: total === 0 ? 0 : (100 * b.weight) / total };
  });
}

function httpSettings(rule: HttpRule): string[] {
  const out: string[] = [];
  if (rule.timeouts?.request) out.push(`timeout ${rule.timeouts.request}`);
  if (rule.timeouts?.backendRequest) out.push(`per-try timeout ${rule.timeouts.backendRequest}`);
  const retry = rule.loom?.retry;
  if (retry) out.push(`retry ×${retry.attempts ?? 'budget'}${retry.codes ? ` on ${retry.codes.join(',')}` : ''}${retry.backoff ? `, backoff ${retry.backoff}` : ''}`);
  const fault = rule.loom?.fault;
  if (fault?.abort) out.push(`fault: abort ${fault.abort.percent}% with ${fault.abort.status}`);
  if (fault?.delay) out.push(`fault: delay ${fault.delay.percent}% by ${fault.delay.duration}`);
  return [...out, ...filterSettings(rule.filters)];
}

function filterSettings(filters: readonly (HttpRule | GrpcRule)['filters'][number][]): string[] {
  return filters.map((filter) => {
    if (filter.type === 'RequestRedirect') return `redirect ${filter.requestRedirect.statusCode}`;
    return filter.type === 'RequestHeaderModifier' ? 'edits request headers' : 'edits response headers';
  });
}

/** The rules of a service's routes in the order the proxy tries routes (oldest first). */
export function summarizeRoutes(parent: string, http: readonly HTTPRouteResource[], grpc: readonly GRPCRouteResource[]): RuleSummary[] {
  const rules: RuleSummary[] = [];
  for (const route of http) {
    for (const rule of route.spec.rules) {
      rules.push({ route: route.metadata.name, kind: 'HTTPRoute', matches: rule.matches.map(describeHttpMatch), backends: backendShares(rule.backendRefs, route.metadata.namespace, parent), settings: httpSettings(rule) });
    }
  }
  for (const route of grpc) {
    for (const rule of route.spec.rules) {
      const matches = rule.matches.length === 0 ? ['*/*'] : rule.matches.map(describeGrpcMatch);
      rules.push({ route: route.metadata.name, kind: 'GRPCRoute', matches, backends: backendShares(rule.backendRefs, route.metadata.namespace, parent), settings: filterSettings(rule.filters) });
    }
  }
  return rules;
}

/** A ServiceProfile condition in words: `GET ~^/books/\d+`, `any(GET, HEAD)`. */
export function describeCondition(c: RequestMatch): string {
  const parts: string[] = [];
  if (c.method) parts.push(c.method);
  if (c.pathRegex) parts.push(`~${c.pathRegex}`);
  if (c.all) parts.push(`all(${c.all.map(describeCondition).join(', ')})`);
  if (c.any) parts.push(`any(${c.any.map(describeCondition).join(', ')})`);
  if (c.not) parts.push(`not(${describeCondition(c.not)})`);
  return parts.join(' ');
}

export interface ProfileSummary {
  routes: { name: string; condition: string; retryable: boolean; timeout: string | undefined }[];
  retryBudget: string;
}

export function summarizeProfile(profile: ServiceProfileResource): ProfileSummary {
  const b = profile.spec.retryBudget;
  return {
    routes: profile.spec.routes.map((r: ProfileRoute) => ({ name: r.name, condition: describeCondition(r.condition), retryable: r.isRetryable, timeout: r.timeout })),
    retryBudget: b ? `retries add ≤ ${Math.round(b.retryRatio * 100)}%, at least ${b.minRetriesPerSecond}/s, over ${b.ttl}` : 'default (20%, at least 10/s, over 10s)',
  };
}

/**
 * Each backend's share of what the backends received, 0–100, from requests per second keyed
 * `<namespace>/<service>` (as service stat rows name them); undefined with no traffic.
 */
export function observedShares(backends: readonly BackendShare[], rpsByService: ReadonlyMap<string, number>): (number | undefined)[] {
  const seen = backends.map((b) => rpsByService.get(`${b.namespace}/${b.name}`) ?? 0);
  const total = seen.reduce((a, b) => a + b, 0);
  return seen.map((r) => (total > 0 ? (100 * r) / total : undefined));
}
