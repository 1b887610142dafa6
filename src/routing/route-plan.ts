// A client policy compiled into what the proxy does per request: find the route, then follow its
// plan (filters, backends, retries, timeouts, failure classes). Compiled once per policy update;
// pure, so it is fuzzed without a proxy.
//
// Precedence: a service with HTTPRoutes or GRPCRoutes is routed by them (a request no rule matches
// gets 404), and its ServiceProfile gives only the retry budget; otherwise the profile's routes name,
// time and retry requests (the first route whose condition holds, else the default route); otherwise
// every request takes the default route to the service itself. Linkerd 2 lets a profile silence a
// service's HTTPRoutes instead; Loom lets the newer resource win, so adding a route for a canary is
// never ignored, and `loom diagnose` says when a profile's routes are set aside.
import type { GRPCRouteResource, GRPCRouteRule, HTTPRouteResource, HTTPRouteRule } from '../resources/index.js';
import { durationMs } from '../resources/index.js';
import type { ClientPolicy } from './client-policy.js';
import { compileProfile } from './profile-match.js';
import { compileGrpcRoutes, compileHttpRoutes, type RequestHead, type RouteMatcher } from './route-match.js';
import { serviceAuthority } from './service-name.js';

export interface WeightedBackend {
  /** host:port of the service to send to. */
  readonly authority: string;
  readonly weight: number;
}

export interface HeaderEdit {
  readonly set: readonly (readonly [string, string])[];
  readonly add: readonly (readonly [string, string])[];
  readonly remove: readonly string[];
}

export interface Redirect {
  readonly scheme?: string;
  readonly hostname?: string;
  readonly port?: number;
  readonly path?: { readonly type: 'ReplaceFullPath' | 'ReplacePrefixMatch'; readonly value: string; readonly matchedPrefix: string };
  readonly statusCode: number;
}

export interface Fault {
  readonly abort?: { readonly status: number; readonly percent: number };
  readonly delay?: { readonly ms: number; readonly percent: number };
}

export interface RetryBudgetSettings {
  readonly retryRatio: number;
  readonly minRetriesPerSecond: number;
  readonly ttlMs: number;
}

export interface RetryPlan {
  /** Retries after the first attempt, at most. */
  readonly maxRetries: number;
  readonly backoffMs: number;
  /** Whether a response with this status (and gRPC status) is worth another attempt. */
  retryOn(status: number, grpcStatus: number | undefined): boolean;
}

export interface RoutePlan {
  /** The `rt_route` metric label. */
  readonly name: string;
  /** Empty when the rule sends nowhere (every weight 0): the proxy answers 503. */
  readonly backends: readonly WeightedBackend[];
  readonly requestHeaders?: HeaderEdit;
  readonly responseHeaders?: HeaderEdit;
  readonly redirect?: Redirect;
  readonly fault?: Fault;
  readonly retry?: RetryPlan;
  /** The whole request, retries included. */
  readonly timeoutMs?: number;
  /** Each attempt. */
  readonly attemptTimeoutMs?: number;
  isFailure(status: number, grpcStatus: number | undefined): boolean;
}

export type RouteDecision = { kind: 'route'; plan: RoutePlan } | { kind: 'no-route' };

export interface PolicyPlan {
  route(head: RequestHead): RouteDecision;
  readonly retryBudget: RetryBudgetSettings;
  /** Every route's plan, for diagnostics. */
  readonly plans: readonly RoutePlan[];
}

export const DEFAULT_ROUTE = '[DEFAULT]';
export const DEFAULT_RETRY_BUDGET: RetryBudgetSettings = { retryRatio: 0.2, minRetriesPerSecond: 10, ttlMs: 10_000 };
/** Codes an HTTPRoute retry covers when it names none (the gateway errors). */
const DEFAULT_RETRY_CODES = [500, 502, 503, 504];
/** A profile route's retries are bounded by the budget; this only stops a runaway loop. */
const PROFILE_MAX_RETRIES = 10;

export function defaultFailure(status: number, grpcStatus: number | undefined): boolean {
  return status >= 500 || (grpcStatus !== undefined && grpcStatus !== 0);
}

export function compilePolicy(policy: ClientPolicy): PolicyPlan {
  const self: WeightedBackend = { authority: policy.name, weight: 1 };
  const defaultPlan: RoutePlan = { name: DEFAULT_ROUTE, backends: [self], isFailure: defaultFailure };
  const profile = policy.profile ? compileProfile(policy.profile.spec) : undefined;
  const retryBudget = profile?.retryBudget ?? DEFAULT_RETRY_BUDGET;

  if (policy.httpRoutes.length > 0 || policy.grpcRoutes.length > 0) {
    const http = policy.httpRoutes.length > 0 ? rulePlans(compileHttpRoutes(policy.httpRoutes), policy.httpRoutes, (route, rule, i) => httpRulePlan(route, rule, i, self)) : undefined;
    const grpc = policy.grpcRoutes.length > 0 ? rulePlans(compileGrpcRoutes(policy.grpcRoutes), policy.grpcRoutes, (route, rule, i) => grpcRulePlan(route, rule, i, self)) : undefined;
    return {
      retryBudget,
      plans: [...(grpc?.plans ?? []), ...(http?.plans ?? [])],
      route(head) {
        // A gRPC call is matched by GRPCRoutes first, as Gateway API gives them precedence for gRPC traffic.
        const plan = (grpc && isGrpc(head) ? grpc.match(head) : undefined) ?? http?.match(head) ?? grpc?.match(head);
        return plan ? { kind: 'route', plan } : { kind: 'no-route' };
      },
    };
  }

  if (profile) {
    const plans = new Map(
      profile.routes.map((r) => {
        const retry: RetryPlan | undefined = r.isRetryable ? { maxRetries: PROFILE_MAX_RETRIES, backoffMs: 0, retryOn: (status, grpc) => r.isFailure(status) ?? defaultFailure(status, grpc) } : undefined;
        const plan: RoutePlan = {
          name: r.name,
          backends: [self],
          ...(retry ? { retry } : {}),
          ...(r.timeoutMs !== undefined ? { timeoutMs: r.timeoutMs } : {}),
          isFailure: (status, grpc) => r.isFailure(status) ?? defaultFailure(status, grpc),
        };
        return [r, plan] as const;
      }),
    );
    return {
      retryBudget,
      plans: [...plans.values(), defaultPlan],
      route(head) {
        const r = profile.route(head.method, head.path);
        return { kind: 'route', plan: (r && plans.get(r)) ?? defaultPlan };
      },
    };
  }

  return { retryBudget, plans: [defaultPlan], route: () => ({ kind: 'route', plan: defaultPlan }) };
}

interface RulePlans {
  match(head: RequestHead): RoutePlan | undefined;
  plans: RoutePlan[];
}

function rulePlans<Route extends { spec: { rules: readonly Rule[] } }, Rule>(
  matcher: RouteMatcher<Route, Rule>,
  routes: readonly Route[],
  build: (route: Route, rule: Rule, ruleIndex: number) => RoutePlan,
): RulePlans {
  const byRule = new Map<Rule, RoutePlan>();
  for (const route of routes) route.spec.rules.forEach((rule, i) => byRule.set(rule, build(route, rule, i)));
  return {
    plans: [...byRule.values()],
    match(head) {
      const found = matcher.match(head);
      return found && byRule.get(found.rule);
    },
  };
}

function isGrpc(head: RequestHead): boolean {
  const type = head.headers['content-type'];
  return typeof type === 'string' && type.startsWith('application/grpc');
}

function routeName(route: HTTPRouteResource | GRPCRouteResource, rule: { name?: string | undefined }, index: number): string {
  if (rule.name !== undefined) return `${route.metadata.name}.${rule.name}`;
  return route.spec.rules.length === 1 ? route.metadata.name : `${route.metadata.name}.${index}`;
}

function backendsOf(rule: HTTPRouteRule | GRPCRouteRule, self: WeightedBackend, routeNamespace: string): WeightedBackend[] {
  // GAMMA: a rule without backendRefs sends to the parent Service itself.
  if (rule.backendRefs.length === 0) return [self];
  return rule.backendRefs
    .filter((b) => b.weight > 0)
    .map((b) => ({ authority: serviceAuthority({ service: b.name, namespace: b.namespace ?? routeNamespace, port: b.port }), weight: b.weight }));
}

function headerEdit(modifier: { set?: { name: string; value: string }[] | undefined; add?: { name: string; value: string }[] | undefined; remove?: string[] | undefined }): HeaderEdit {
  const pairs = (list: { name: string; value: string }[] | undefined) => (list ?? []).map((h) => [h.name.toLowerCase(), h.value] as const);
  return { set: pairs(modifier.set), add: pairs(modifier.add), remove: (modifier.remove ?? []).map((n) => n.toLowerCase()) };
}

function headerFilters(rule: HTTPRouteRule | GRPCRouteRule): Pick<RoutePlan, 'requestHeaders' | 'responseHeaders'> {
  const out: { requestHeaders?: HeaderEdit; responseHeaders?: HeaderEdit } = {};
  for (const filter of rule.filters) {
    if (filter.type === 'RequestHeaderModifier') out.requestHeaders = headerEdit(filter.requestHeaderModifier);
    if (filter.type === 'ResponseHeaderModifier') out.responseHeaders = headerEdit(filter.responseHeaderModifier);
  }
  return out;
}

function httpRulePlan(route: HTTPRouteResource, rule: HTTPRouteRule, index: number, self: WeightedBackend): RoutePlan {
  const redirectFilter = rule.filters.find((f) => f.type === 'RequestRedirect');
  const retry = rule.loom?.retry;
  const codes = new Set(retry?.codes ?? DEFAULT_RETRY_CODES);
  const fault = rule.loom?.fault;
  const request = rule.timeouts?.request === undefined ? 0 : durationMs(rule.timeouts.request);
  const backend = rule.timeouts?.backendRequest === undefined ? 0 : durationMs(rule.timeouts.backendRequest);
  return {
    name: routeName(route, rule, index),
    backends: backendsOf(rule, self, route.metadata.namespace),
    ...headerFilters(rule),
    ...(redirectFilter?.type === 'RequestRedirect' ? { redirect: redirectOf(redirectFilter.requestRedirect, rule) } : {}),
    ...(fault ? { fault: faultOf(fault) } : {}),
    ...(retry && (retry.attempts ?? 1) > 0
      ? { retry: { maxRetries: retry.attempts ?? 1, backoffMs: retry.backoff === undefined ? 0 : durationMs(retry.backoff), retryOn: (status: number) => codes.has(status) } }
      : {}),
    // Gateway API: a zero duration means no timeout.
    ...(request > 0 ? { timeoutMs: request } : {}),
    ...(backend > 0 ? { attemptTimeoutMs: backend } : {}),
    isFailure: defaultFailure,
  };
}

function grpcRulePlan(route: GRPCRouteResource, rule: GRPCRouteRule, index: number, self: WeightedBackend): RoutePlan {
  return { name: routeName(route, rule, index), backends: backendsOf(rule, self, route.metadata.namespace), ...headerFilters(rule), isFailure: defaultFailure };
}

type RedirectSpec = Extract<HTTPRouteRule['filters'][number], { type: 'RequestRedirect' }>['requestRedirect'];

function redirectOf(spec: RedirectSpec, rule: HTTPRouteRule): Redirect {
  const prefix = rule.matches.find((m) => m.path.type === 'PathPrefix')?.path.value ?? '/';
  const path = spec.path === undefined
    ? undefined
    : spec.path.type === 'ReplaceFullPath'
      ? { type: 'ReplaceFullPath' as const, value: spec.path.replaceFullPath, matchedPrefix: prefix }
      : { type: 'ReplacePrefixMatch' as const, value: spec.path.replacePrefixMatch, matchedPrefix: prefix };
  return {
    statusCode: spec.statusCode,
    ...(spec.scheme !== undefined ? { scheme: spec.scheme } : {}),
    ...(spec.hostname !== undefined ? { hostname: spec.hostname } : {}),
    ...(spec.port !== undefined ? { port: spec.port } : {}),
    ...(path ? { path } : {}),
  };
}

function faultOf(fault: NonNullable<NonNullable<HTTPRouteRule['loom']>['fault']>): Fault {
  return {
    ...(fault.abort ? { abort: { status: fault.abort.status, percent: fault.abort.percent } } : {}),
    ...(fault.delay ? { delay: { ms: durationMs(fault.delay.duration), percent: fault.delay.percent } } : {}),
  };
}
