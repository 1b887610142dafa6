// Route matching for HTTPRoute and GRPCRoute: every (route, rule, match) is compiled once into a
// candidate with its regexes built and its precedence computed, and the candidates are sorted; a
// request then takes the first candidate whose conditions all hold.
//
// Precedence follows Gateway API v1, HTTPRouteRule.matches ("Matching precedence"): "precedence must
// be given to the match having: "Exact" path match. "Prefix" path match with largest number of
// characters. Method match. Largest number of header matches. Largest number of query param matches."
// then, across Routes, the oldest Route, and within a Route "the FIRST matching rule (in list order)".
// Loom has no creation timestamps in a mesh file, so callers pass routes oldest first and list order
// breaks ties. RegularExpression path precedence is implementation-specific; Loom ranks it between
// Exact and PathPrefix (longer pattern first), so a catch-all `/` prefix never hides a regex rule.
// GRPCRouteRule.matches: "Precedence MUST be given to the rule with the largest number of: ...
// Characters in a matching service. Characters in a matching method. Header matches."
// Regular expressions match the whole value, as Envoy's safe_regex does.

import type { BackendRef, GRPCRouteResource, GRPCRouteRule, HTTPRouteMatch, HTTPRouteResource, HTTPRouteRule } from '../resources/index.js';

export interface RequestHead {
  method: string;
  /** The request target: path and optional query, e.g. `/api/users?page=2`. */
  path: string;
  /** Lowercased header names; repeated headers as arrays, as node:http gives them. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Host or :authority; GAMMA routes bind by parentRef, so matching does not use it. */
  authority?: string;
}

export interface RouteMatch<Route, Rule> {
  route: Route;
  rule: Rule;
  routeIndex: number;
  ruleIndex: number;
}

type Test = (request: ParsedRequest) => boolean;

/** A request as the tests read it; the query and the gRPC method are parsed only if a test asks. */
class ParsedRequest {
  readonly path: string;
  private readonly queryText: string | undefined;
  private parsedQuery: URLSearchParams | null | undefined;
  private parsedGrpc: { service: string; method: string } | null | undefined;

  constructor(readonly head: RequestHead) {
    const q = head.path.indexOf('?');
    this.path = q < 0 ? head.path : head.path.slice(0, q);
    this.queryText = q < 0 ? undefined : head.path.slice(q + 1);
  }

  get query(): URLSearchParams | undefined {
    if (this.parsedQuery === undefined) this.parsedQuery = this.queryText === undefined ? null : new URLSearchParams(this.queryText);
    return this.parsedQuery ?? undefined;
  }

  get grpc(): { service: string; method: string } | undefined {
    if (this.parsedGrpc === undefined) this.parsedGrpc = parseGrpcPath(this.path) ?? null;
    return this.parsedGrpc ?? undefined;
  }
}

interface Candidate<Route, Rule> {
  found: RouteMatch<Route, Rule>;
  /** Compared left to right, larger first. */
  rank: number[];
  /** Declaration order, for ties. */
  order: number;
  tests: Test[];
}

export interface RouteMatcher<Route, Rule> {
  match(head: RequestHead): RouteMatch<Route, Rule> | undefined;
}

const PATH_RANK = { Exact: 3, RegularExpression: 2, PathPrefix: 1 } as const;

/** Compiles HTTPRoutes, oldest first, into a matcher. */
export function compileHttpRoutes(routes: readonly HTTPRouteResource[]): RouteMatcher<HTTPRouteResource, HTTPRouteRule> {
  return compile(routes, (route) => route.spec.rules, (match: HTTPRouteMatch) => ({
    rank: [
      PATH_RANK[match.path.type],
      match.path.type === 'PathPrefix' ? trimSlash(match.path.value).length : match.path.value.length,
      match.method === undefined ? 0 : 1,
      match.headers.length,
      match.queryParams.length,
    ],
    // The method first: one string compare that spares the path regex on a mismatch.
    tests: [
      ...(match.method === undefined ? [] : [methodTest(match.method)]),
      pathTest(match.path.type, match.path.value),
      ...match.headers.map((h) => headerTest(h.type, h.name, h.value)),
      ...match.queryParams.map((q) => queryTest(q.type, q.name, q.value)),
    ],
  }));
}

/** Compiles GRPCRoutes, oldest first, into a matcher. */
export function compileGrpcRoutes(routes: readonly GRPCRouteResource[]): RouteMatcher<GRPCRouteResource, GRPCRouteRule> {
  return compile(routes, (route) => route.spec.rules, (match: GRPCRouteRule['matches'][number]) => {
    const method = match.method;
    const tests: Test[] = match.headers.map((h) => headerTest(h.type, h.name, h.value));
    if (method?.service !== undefined) tests.push(grpcTest('service', textTest(method.type, method.service)));
    if (method?.method !== undefined) tests.push(grpcTest('method', textTest(method.type, method.method)));
    return { rank: [method?.service?.length ?? 0, method?.method?.length ?? 0, match.headers.length], tests };
  });
}

function compile<Route, Rule extends { matches: readonly Match[] }, Match>(
  routes: readonly Route[],
  rulesOf: (route: Route) => readonly Rule[],
  compileMatch: (match: Match) => { rank: number[]; tests: Test[] },
): RouteMatcher<Route, Rule> {
  const candidates: Candidate<Route, Rule>[] = [];
  routes.forEach((route, routeIndex) =>
    rulesOf(route).forEach((rule, ruleIndex) => {
      const found = { route, rule, routeIndex, ruleIndex };
      // A rule without matches matches everything, ranked last (the gRPC default; HTTP's is filled in by the schema).
      if (rule.matches.length === 0) candidates.push({ found, rank: [], order: candidates.length, tests: [] });
      for (const match of rule.matches) candidates.push({ found, ...compileMatch(match), order: candidates.length });
    }),
  );
  candidates.sort((a, b) => compareRanks(b.rank, a.rank) || a.order - b.order);
  return {
    match(head) {
      const request = new ParsedRequest(head);
      return candidates.find((candidate) => candidate.tests.every((test) => test(request)))?.found;
    },
  };
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** `/package.Service/Method` -> { service: 'package.Service', method: 'Method' }. */
export function parseGrpcPath(path: string): { service: string; method: string } | undefined {
  const parts = path.split('/');
  if (parts.length !== 3 || parts[0] !== '') return undefined;
  const [, service = '', method = ''] = parts;
  return service === '' || method === '' ? undefined : { service, method };
}

function trimSlash(prefix: string): string {
  return prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

function pathTest(type: HTTPRouteMatch['path']['type'], value: string): Test {
  if (type === 'Exact') return (r) => r.path === value;
  if (type === 'RegularExpression') {
    const regex = wholeValue(value);
    return (r) => regex.test(r.path);
  }
  // Prefixes match whole path segments: /api matches /api and /api/users, not /apis.
  const prefix = trimSlash(value);
  if (prefix === '/') return () => true;
  return (r) => r.path === prefix || r.path.startsWith(`${prefix}/`);
}

function methodTest(method: string): Test {
  return (r) => r.head.method.toUpperCase() === method;
}

function textTest(type: 'Exact' | 'RegularExpression', value: string): (text: string) => boolean {
  if (type === 'Exact') return (text) => text === value;
  const regex = wholeValue(value);
  return (text) => regex.test(text);
}

function headerTest(type: 'Exact' | 'RegularExpression', name: string, value: string): Test {
  const key = name.toLowerCase();
  const matches = textTest(type, value);
  return (r) => {
    const got = r.head.headers[key];
    if (got === undefined) return false;
    return matches(typeof got === 'string' ? got : got.join(','));
  };
}

function queryTest(type: 'Exact' | 'RegularExpression', name: string, value: string): Test {
  const matches = textTest(type, value);
  return (r) => {
    // With a parameter repeated, the first value counts (the spec leaves it to implementations).
    const got = r.query?.get(name);
    return got !== undefined && got !== null && matches(got);
  };
}

function grpcTest(part: 'service' | 'method', matches: (text: string) => boolean): Test {
  return (r) => r.grpc !== undefined && matches(r.grpc[part]);
}

function wholeValue(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/**
 * Picks a backend in proportion to its weight; `random` returns a number in [0, 1). Undefined when
 * the rule has no backend with a weight above 0: the caller answers 503.
 */
export function pickBackend<Backend extends Pick<BackendRef, 'weight'>>(
  rule: { backendRefs: readonly Backend[] },
  random: () => number,
): Backend | undefined {
  let total = 0;
  for (const backend of rule.backendRefs) total += backend.weight;
  if (total <= 0) return undefined;
  let point = random() * total;
  let last: Backend | undefined;
  for (const backend of rule.backendRefs) {
    if (backend.weight <= 0) continue;
    if (point < backend.weight) return backend;
    point -= backend.weight;
    last = backend;
  }
  // Floating-point leftovers land on the last backend that takes traffic.
  return last;
}
