// `loom diagnose`: one request's path through a client policy, as Linkerd 1's delegator shows it —
// the route it takes, each backend's share, the delegation of each backend name through the dtab,
// the bound tree with the share of requests each leaf receives, and the endpoints behind it. Pure and
// fed user input, so it never throws; its answer is plain JSON for the admin API and the CLI.
import type { ClientPolicy } from './client-policy.js';
import { applyDtabOverride, boundShares, DTAB_HEADERS, dentryToString, nameTreeToString, parseDtab, pathToString, resolve, type BoundTree, type Dtab, type TraceStep } from './dtab/index.js';
import { clip, collectOutcomes, endpointsOf, percent, reportTree } from './diagnose-tree.js';
import { redirectLocation } from './redirect.js';
import { compilePolicy, type Fault, type HeaderEdit, type RetryBudgetSettings, type RoutePlan } from './route-plan.js';
import { BASE_DENTRY, parseServiceName, serviceDtabPath } from './service-name.js';

export interface DiagnoseInput {
  readonly policy: ClientPolicy;
  readonly request: { readonly method: string; readonly path: string; readonly headers: Readonly<Record<string, string>> };
  /** A dtab override, as the loom-dtab header would carry it; applied after any in `headers`. */
  readonly override?: string;
}

export interface DiagnosedEndpoint {
  readonly addr: string;
  readonly labels: Readonly<Record<string, string>>;
}

export type EndpointLookup = (authority: string) => readonly DiagnosedEndpoint[];

/** What chose the route: the service's HTTPRoutes/GRPCRoutes, its ServiceProfile, or neither. */
export type RouteSource = 'routes' | 'profile' | 'default';

export type RouteReport =
  | { matched: false; answer: string }
  | {
      matched: true;
      name: string;
      source: RouteSource;
      timeoutMs?: number;
      attemptTimeoutMs?: number;
      retry?: { maxRetries: number; backoffMs: number };
      retryBudget: RetryBudgetSettings;
      redirect?: { statusCode: number; location: string };
      fault?: Fault;
      requestHeaders?: HeaderEdit;
      responseHeaders?: HeaderEdit;
    };

/** One dentry of the dtab a backend was delegated with, and where it came from. */
export type DentryLine = { index: number; source: 'base' | 'policy' | 'override'; dentry: string };

export interface TraceLine {
  kind: TraceStep['kind'];
  depth: number;
  path: string;
  /** The dentry that matched: its text is in the backend's `dtab`. */
  dentryIndex?: number;
  rewrite?: string;
  result?: string;
  reason?: string;
}

export type BoundNode =
  | { kind: 'leaf'; sharePercent: number; path?: string; authority?: string; problem?: string; endpoints?: DiagnosedEndpoint[] }
  | { kind: 'alt'; sharePercent: number; branches: BoundNode[]; problem?: string }
  | { kind: 'union'; sharePercent: number; members: { weight: number; node: BoundNode }[]; problem?: string }
  | { kind: 'neg' | 'empty'; sharePercent: number; problem?: string }
  | { kind: 'fail'; sharePercent: number; reason: string }
  /** Branches past MAX_TREE_NODES. */
  | { kind: 'omitted'; sharePercent: number; branches: number };

export interface BackendReport {
  authority: string;
  weight: number;
  sharePercent: number;
  /** Absent when the name is not `<svc>.<ns>.svc:<port>`: the proxy sends to it as is. */
  dtabPath?: string;
  dtab: DentryLine[];
  trace: TraceLine[];
  /** Trace steps left out past MAX_TRACE_STEPS. */
  omittedSteps: number;
  tree: BoundNode;
}

/** Where a share of all requests ends: an authority the proxy dials, or the error it answers. */
export interface Outcome {
  percent: number;
  authority?: string;
  endpoints?: number;
  error?: string;
}

export interface Diagnosis {
  name: string;
  dtabPath?: string;
  /** Header names lowercased, as the proxy matches them. */
  request: { method: string; path: string; headers: Record<string, string> };
  problems: string[];
  route: RouteReport;
  backends: BackendReport[];
  outcomes: Outcome[];
}

/** Limits on what one answer carries: a pathological dtab still gets a readable, bounded report. */
const MAX_TRACE_STEPS = 200;
const MAX_TREE_TEXT_NODES = 64;

export function diagnose(input: DiagnoseInput, endpoints: EndpointLookup): Diagnosis {
  const { policy, request } = input;
  const service = parseServiceName(policy.name);
  const dtabPath = service ? { dtabPath: pathToString(serviceDtabPath(service)) } : {};
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const base: Diagnosis = { name: policy.name, ...dtabPath, request: { method: request.method, path: request.path, headers }, problems: [], route: { matched: false, answer: '' }, backends: [], outcomes: [] };
  try {
    return diagnosed(base, input, endpoints);
  } catch (err) {
    // A bug here must not take the admin API down with it; say so instead.
    base.problems.push(`internal error while diagnosing: ${(err as Error).message}; report it with this request`);
    return base;
  }
}

function diagnosed(d: Diagnosis, { policy, override }: DiagnoseInput, endpoints: EndpointLookup): Diagnosis {
  const { request, request: { headers } } = d;
  const plan = compilePolicy(policy);
  const decision = plan.route({ method: request.method, path: request.path, headers, authority: policy.name });
  if (decision.kind === 'no-route') {
    d.route = { matched: false, answer: `404 LOOM_ERR_NO_ROUTE: no route of ${policy.name} matches ${request.method} ${request.path}; add a rule that matches it or check the route's matches` };
    d.outcomes.push({ percent: 100, error: '404 LOOM_ERR_NO_ROUTE' });
    return d;
  }
  const route = decision.plan;
  const source: RouteSource = policy.httpRoutes.length > 0 || policy.grpcRoutes.length > 0 ? 'routes' : policy.profile ? 'profile' : 'default';
  if (source === 'routes' && policy.profile) d.problems.push(`the ServiceProfile ${policy.profile.metadata.name}'s routes are not used: this service's HTTPRoutes/GRPCRoutes route it (the profile still sets the retry budget); move what its routes do into the HTTPRoute rules`);
  d.route = routeReport(route, source, plan.retryBudget, policy.name, request.path);
  if (route.redirect) {
    d.outcomes.push({ percent: 100, error: `${route.redirect.statusCode} redirect (the backends are not asked)` });
    return d;
  }
  const dtab = dtabInForce(d, policy, headers, override);
  // An injected abort answers before any backend is picked.
  const aborted = Math.min(100, Math.max(0, route.fault?.abort?.percent ?? 0));
  if (aborted > 0) d.outcomes.push({ percent: aborted, error: `${route.fault?.abort?.status ?? 0} LOOM_ERR_FAULT_INJECTED` });
  const total = route.backends.reduce((sum, b) => sum + (b.weight > 0 ? b.weight : 0), 0);
  if (!(total > 0) && aborted < 100) d.outcomes.push({ percent: 100 - aborted, error: `503 LOOM_ERR_NO_BACKEND: route ${route.name} sends nowhere (every weight is 0)` });
  for (const backend of route.backends) {
    if (!(backend.weight > 0) || !(total > 0)) continue;
    const report = backendReport(backend.authority, backend.weight, percent(backend.weight / total), dtab, endpoints);
    d.backends.push(report);
    collectOutcomes(report.tree, (report.sharePercent / 100) * (1 - aborted / 100), d.outcomes);
  }
  return d;
}

function routeReport(plan: RoutePlan, source: RouteSource, retryBudget: RetryBudgetSettings, name: string, path: string): RouteReport {
  return {
    matched: true,
    name: plan.name,
    source,
    retryBudget: { ...retryBudget },
    ...(plan.timeoutMs !== undefined ? { timeoutMs: plan.timeoutMs } : {}),
    ...(plan.attemptTimeoutMs !== undefined ? { attemptTimeoutMs: plan.attemptTimeoutMs } : {}),
    ...(plan.retry ? { retry: { maxRetries: plan.retry.maxRetries, backoffMs: plan.retry.backoffMs } } : {}),
    ...(plan.redirect ? { redirect: { statusCode: plan.redirect.statusCode, location: redirectLocation(plan.redirect, { scheme: 'http', authority: name, path }) } } : {}),
    ...(plan.fault ? { fault: plan.fault } : {}),
    ...(plan.requestHeaders ? { requestHeaders: plan.requestHeaders } : {}),
    ...(plan.responseHeaders ? { responseHeaders: plan.responseHeaders } : {}),
  };
}

/** The base dentry, the policy's dtab and the override, as the proxy builds them (router.ts, server.ts). */
function dtabInForce(d: Diagnosis, policy: ClientPolicy, headers: Record<string, string>, override: string | undefined): { dtab: Dtab; lines: DentryLine[] } {
  let dtab: Dtab = [BASE_DENTRY];
  if (policy.dtab) {
    const parsed = parseDtab(policy.dtab.text);
    if (parsed.ok) dtab = dtab.concat(parsed.value);
    else d.problems.push(`dtab ${policy.dtab.namespace} (version ${policy.dtab.version}) does not parse: ${parsed.error.message}; the proxy leaves it out until it is fixed`);
  }
  const inPolicy = dtab.length;
  const values = Object.entries(headers).filter(([k]) => (DTAB_HEADERS as readonly string[]).includes(k)).map(([, v]) => v);
  if (override !== undefined) values.push(override);
  if (values.length > 0) {
    const applied = applyDtabOverride(dtab, values);
    if (applied.ok) dtab = applied.value;
    else d.problems.push(`the dtab override does not parse: ${applied.error.message}; the proxy ignores it for routing and names the problem in the loom-dtab-error response header`);
  }
  return { dtab, lines: dtab.map((dentry, index) => ({ index, source: index === 0 ? 'base' : index < inPolicy ? 'policy' : 'override', dentry: dentryToString(dentry) })) };
}

function backendReport(authority: string, weight: number, sharePercent: number, { dtab, lines }: ReturnType<typeof dtabInForce>, endpoints: EndpointLookup): BackendReport {
  const service = parseServiceName(authority);
  if (service === undefined) {
    const tree: BoundNode = { kind: 'leaf', sharePercent: 100, authority, problem: 'not a <svc>.<ns>.svc:<port> name: sent as is, without delegation', endpoints: endpointsOf(authority, endpoints) };
    return { authority, weight, sharePercent, dtab: [], trace: [], omittedSteps: 0, tree };
  }
  const path = serviceDtabPath(service);
  // The proxy's own limits (resolve's defaults), so a dtab that fails there fails here too.
  const { trace, tree } = resolve(dtab, path, { trace: true });
  const omittedSteps = Math.max(0, trace.length - MAX_TRACE_STEPS);
  return { authority, weight, sharePercent, dtabPath: pathToString(path), dtab: lines, trace: trace.slice(0, MAX_TRACE_STEPS).map(traceLine), omittedSteps, tree: reportTree(boundShares(tree), endpoints) };
}

function traceLine(step: TraceStep): TraceLine {
  const line: TraceLine = { kind: step.kind, depth: step.depth, path: clip(pathToString(step.path)) };
  if (step.kind === 'match') {
    line.dentryIndex = step.dentryIndex;
    line.rewrite = treeText(step.rewrite);
    if (step.result !== undefined) line.result = treeText(step.result);
  }
  if (step.kind === 'fail') line.reason = clip(step.reason);
  return line;
}

/** A tree as the dtab language, or its size when printing it would swamp the report. */
function treeText(tree: BoundTree): string {
  let nodes = 0;
  const count = (t: BoundTree): void => {
    if (++nodes > MAX_TREE_TEXT_NODES) return;
    if (t.kind === 'alt') t.trees.forEach(count);
    else if (t.kind === 'union') t.members.forEach((m) => count(m.tree));
  };
  count(tree);
  return nodes > MAX_TREE_TEXT_NODES ? `(a tree of more than ${MAX_TREE_TEXT_NODES} nodes)` : clip(nameTreeToString(tree));
}
