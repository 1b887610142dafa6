// ServiceProfile routes compiled once, for every request: a request takes the first route (in list
// order) whose condition holds, and a response is classified by the first response class of its
// route that matches. Semantics follow Linkerd (linkerd2-proxy service profiles): fields set side by
// side in a condition must all hold; pathRegex is anchored at both ends and tested against the path
// without its query string; a status range is inclusive, and a single bound matches only itself.

import { DEFAULT_RETRY_BUDGET, goDurationMs, type ProfileRoute, type RequestMatch, type ResponseMatch, type ServiceProfileResource } from '../resources/index.js';

export interface CompiledProfileRoute {
  readonly name: string;
  readonly isRetryable: boolean;
  readonly timeoutMs: number | undefined;
  /** Whether the first matching response class calls `status` a failure; undefined when none matches (the caller's default applies: 5xx is a failure). */
  isFailure(status: number): boolean | undefined;
}

export interface ProfileRetryBudget {
  readonly retryRatio: number;
  readonly minRetriesPerSecond: number;
  readonly ttlMs: number;
}

export interface CompiledProfile {
  /** In list order; `route()` returns these same objects, so callers can key maps by them. */
  readonly routes: readonly CompiledProfileRoute[];
  /** The profile's budget, or Linkerd's default when it sets none. */
  readonly retryBudget: ProfileRetryBudget;
  /** The first route whose condition holds for the request; `path` may carry a query string. */
  route(method: string, path: string): CompiledProfileRoute | undefined;
}

type RequestTest = (method: string, path: string) => boolean;
type StatusTest = (status: number) => boolean;

/** Compiles a profile's spec as parseResource returns it; throws on a regex or duration the schema would have rejected. */
export function compileProfile(spec: ServiceProfileResource['spec']): CompiledProfile {
  const compiled = spec.routes.map((route) => ({ test: requestTest(route.condition, route.name), route: compileRoute(route) }));
  const budget = spec.retryBudget ?? DEFAULT_RETRY_BUDGET;
  return {
    routes: compiled.map((c) => c.route),
    retryBudget: { retryRatio: budget.retryRatio, minRetriesPerSecond: budget.minRetriesPerSecond, ttlMs: durationOf(budget.ttl, 'retryBudget.ttl') },
    route(method, path) {
      const query = path.indexOf('?');
      const bare = query < 0 ? path : path.slice(0, query);
      return compiled.find((c) => c.test(method, bare))?.route;
    },
  };
}

function compileRoute(route: ProfileRoute): CompiledProfileRoute {
  const classes = route.responseClasses.map((c) => ({ test: statusTest(c.condition), isFailure: c.isFailure }));
  return {
    name: route.name,
    isRetryable: route.isRetryable,
    timeoutMs: route.timeout === undefined ? undefined : durationOf(route.timeout, `route "${route.name}" timeout`),
    isFailure: (status) => classes.find((c) => c.test(status))?.isFailure,
  };
}

function requestTest(match: RequestMatch, routeName: string): RequestTest {
  const tests: RequestTest[] = [];
  const { method, pathRegex, all, any, not } = match;
  if (method !== undefined) tests.push((m) => m === method);
  if (pathRegex !== undefined) {
    const regex = wholePath(pathRegex, routeName);
    tests.push((_, path) => regex.test(path));
  }
  if (all !== undefined) {
    const each = all.map((m) => requestTest(m, routeName));
    tests.push((m, path) => each.every((t) => t(m, path)));
  }
  if (any !== undefined) {
    const each = any.map((m) => requestTest(m, routeName));
    tests.push((m, path) => each.some((t) => t(m, path)));
  }
  if (not !== undefined) {
    const inner = requestTest(not, routeName);
    tests.push((m, path) => !inner(m, path));
  }
  return (m, path) => tests.every((t) => t(m, path));
}

function statusTest(match: ResponseMatch): StatusTest {
  const tests: StatusTest[] = [];
  const { status, all, any, not } = match;
  if (status !== undefined) {
    const min = status.min ?? status.max;
    const max = status.max ?? status.min;
    tests.push((s) => min !== undefined && max !== undefined && s >= min && s <= max);
  }
  if (all !== undefined) {
    const each = all.map(statusTest);
    tests.push((s) => each.every((t) => t(s)));
  }
  if (any !== undefined) {
    const each = any.map(statusTest);
    tests.push((s) => each.some((t) => t(s)));
  }
  if (not !== undefined) {
    const inner = statusTest(not);
    tests.push((s) => !inner(s));
  }
  return (s) => tests.every((t) => t(s));
}

// A group rather than Linkerd's bare `^...$`, so `/a|/b` means either whole path, not "starts with /a".
function wholePath(pattern: string, routeName: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    throw new Error(`route "${routeName}": pathRegex ${JSON.stringify(pattern)} is not a valid regular expression; check the profile with parseResource before compiling it`);
  }
}

function durationOf(text: string, what: string): number {
  const ms = goDurationMs(text);
  if (ms === undefined) throw new Error(`${what}: ${JSON.stringify(text)} is not a duration; check the profile with parseResource before compiling it`);
  return ms;
}
