// `loom diagnose`: one request's path through a client policy, as Linkerd 1's delegator shows it —
// the route it takes, each backend's share, the delegation of each backend name through the dtab,
// the bound tree with the share of requests each leaf receives, and the endpoints behind it. Pure and
// fed user input, so it never throws; its answer is plain JSON for the admin API and the CLI.
import { isIP } from 'node:net';
import type { ClientPolicy } from './client-policy.js';
import { applyDtabOverride, DTAB_HEADERS, dentryToString, nameTreeToString, parseDtab, pathToString, resolve, weightToString, type BoundTree, type Dtab, type TraceStep } from './dtab/index.js';
import { redirectLocation } from './redirect.js';
import { compilePolicy, type Fault, type HeaderEdit, type RetryBudgetSettings, type RoutePlan } from './route-plan.js';
import { BASE_DENTRY, boundToAuthority, parseServiceName, serviceDtabPath } from './service-name.js';

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
const MAX_TREE_NODES = 500;
const MAX_TREE_TEXT_NODES = 64;
const MAX_TEXT = 240;
/** What the proxy answers when delegation leaves it nothing to dial (DtabError). */
const DTAB_ERROR = '503 LOOM_ERR_DTAB: ';

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

/** Text from user input, cut short enough for a report line. */
function clip(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}... (${text.length} characters)`;
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

/** The share-annotated tree as report nodes, at most MAX_TREE_NODES of them. */
function reportTree(root: ShareNode, endpoints: EndpointLookup): BoundNode {
  let budget = MAX_TREE_NODES;
  const visit = (node: ShareNode): BoundNode => {
    budget--;
    const sharePercent = percent(node.share);
    const tree: BoundTree = node.tree;
    // Requests end at a node that yields no name only when nothing above it does either.
    const problem = sharePercent > 0 && (node.yields === 'neg' || node.yields === 'empty') ? { problem: `${DTAB_ERROR}${node.yields === 'neg' ? 'no dentry binds it' : 'it delegates to an empty set ($)'}` } : {};
    const children = (): BoundNode[] => {
      const out: BoundNode[] = [];
      for (let i = 0; i < node.children.length; i++) {
        if (budget <= 0) {
          const rest = node.children.slice(i);
          out.push({ kind: 'omitted', sharePercent: percent(rest.reduce((s, c) => s + c.share, 0)), branches: rest.length });
          break;
        }
        out.push(visit(node.children[i] as ShareNode));
      }
      return out;
    };
    switch (tree.kind) {
      case 'leaf': {
        const path = clip(pathToString(tree.value));
        const authority = boundToAuthority(tree.value);
        if (authority === undefined) return { kind: 'leaf', sharePercent, path, problem: `${DTAB_ERROR}not a name Loom can dial; use /#/loom.svc/<ns>/<port>/<svc> or /$/inet/<host>/<port>` };
        return { kind: 'leaf', sharePercent, path, authority, endpoints: endpointsOf(authority, endpoints) };
      }
      case 'alt':
        return { kind: 'alt', sharePercent, branches: children(), ...problem };
      case 'union':
        return { kind: 'union', sharePercent, members: children().map((n, i) => ({ weight: tree.members[i]?.weight ?? 0, node: n })), ...problem };
      case 'fail':
        return { kind: 'fail', sharePercent, reason: clip(tree.reason ?? 'the dtab says to fail (!)') };
      case 'neg':
      case 'empty':
        return { kind: tree.kind, sharePercent, ...problem };
    }
  };
  return visit(root);
}

/** An IP:port is dialed as is (concrete.ts); any other name's endpoints come from discovery. */
function endpointsOf(authority: string, lookup: EndpointLookup): DiagnosedEndpoint[] {
  const colon = authority.lastIndexOf(':');
  const host = authority.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  if (colon > 0 && isIP(host) !== 0) return [{ addr: authority, labels: {} }];
  return lookup(authority).map(({ addr, labels }) => ({ addr, labels }));
}

/** Adds each leaf's (and each failure's) share of all requests to `out`, merged by authority or error. */
function collectOutcomes(node: BoundNode, scale: number, out: Outcome[]): void {
  const add = (key: { authority: string; endpoints: number } | { error: string }, share: number): void => {
    if (!(share > 0)) return;
    const same = out.find((o) => ('authority' in key ? o.authority === key.authority : o.error === key.error));
    if (same) same.percent = percent((same.percent + share * 100) / 100);
    else out.push({ percent: percent(share), ...key });
  };
  const share = (node.sharePercent / 100) * scale;
  switch (node.kind) {
    case 'leaf':
      add(node.authority !== undefined ? { authority: node.authority, endpoints: node.endpoints?.length ?? 0 } : { error: node.problem ?? '' }, share);
      return;
    case 'alt':
    case 'union':
      if (node.problem !== undefined) add({ error: node.problem }, share);
      else for (const child of node.kind === 'alt' ? node.branches : node.members.map((m) => m.node)) collectOutcomes(child, scale, out);
      return;
    default:
      add({ error: node.kind === 'fail' ? `${DTAB_ERROR}${node.reason}` : node.kind === 'omitted' ? 'in the part of the tree left out of this report' : (node.problem ?? '') }, share);
  }
}

/** A fraction as a percentage, rounded so JSON shows 70 rather than 70.00000000000001. */
function percent(fraction: number): number {
  const p = Math.round(fraction * 100 * 1e6) / 1e6;
  return Number.isFinite(p) ? p : 0;
}

// --- Shares: which fraction of a backend's requests each node of its bound tree answers. ---------
type Yield = 'bound' | 'fail' | 'neg' | 'empty';

/** A bound tree node, what it yields to the picker, and the fraction of requests that end at it. */
interface ShareNode {
  readonly tree: BoundTree;
  readonly yields: Yield;
  readonly children: ShareNode[];
  readonly weights: number[];
  share: number;
}

/** Union splits computed exactly before the rest is shared by weight alone (a guard against `$ & $ & ...`). */
const MAX_SHARE_STEPS = 10_000;

/**
 * The tree with each node's share of requests, exactly as picker.ts picks with a uniform random
 * number: with no endpoint status, whether a subtree yields a name does not depend on the number, so
 * alternation takes its first branch that yields a name or fails, and a union splits [0, 1) by weight,
 * rescaling the slot a member won; a member that yields no name is dropped and the same number
 * chooses again among the rest (which is why shares there are not simply proportional to weights).
 */
function boundShares(tree: BoundTree): ShareNode {
  const root = shareNode(tree);
  measure(root, 0, 1, 1, { steps: 0 });
  sumShares(root);
  return root;
}

function shareNode(tree: BoundTree): ShareNode {
  const children = tree.kind === 'alt' ? tree.trees.map(shareNode) : tree.kind === 'union' ? tree.members.map((m) => shareNode(m.tree)) : [];
  const weights = tree.kind === 'union' ? tree.members.map((m) => m.weight) : [];
  return { tree, yields: yields(tree, children), children, weights, share: 0 };
}

function yields(tree: BoundTree, children: readonly ShareNode[]): Yield {
  if (tree.kind === 'leaf') return 'bound';
  if (tree.kind !== 'alt' && tree.kind !== 'union') return tree.kind;
  const decided = tree.kind === 'alt' ? children.find((c) => c.yields === 'bound' || c.yields === 'fail') : children.find((c) => c.yields === 'bound');
  if (decided) return decided.yields;
  return children.some((c) => c.yields === 'empty') ? 'empty' : 'neg';
}

/** Credits the requests whose number falls in [a, b) of `node`'s interval, each worth `w`. */
function measure(node: ShareNode, a: number, b: number, w: number, work: { steps: number }): void {
  if (!(b > a)) return;
  if (node.tree.kind === 'alt' && (node.yields === 'bound' || node.yields === 'fail')) {
    const taken = node.children.find((c) => c.yields === 'bound' || c.yields === 'fail');
    if (taken) measure(taken, a, b, w, work);
  } else if (node.tree.kind === 'union' && node.yields === 'bound') {
    measureUnion(node, node.children.map((_, i) => i), a, b, w, work);
  } else {
    node.share += (b - a) * w; // a leaf, or where the request fails: the picker stops here
  }
}

function measureUnion(node: ShareNode, candidates: number[], a: number, b: number, w: number, work: { steps: number }): void {
  if (++work.steps > MAX_SHARE_STEPS) return shareByWeight(node, candidates, a, b, w, work);
  const weights = candidates.map((i) => node.weights[i] ?? 0);
  const total = weights.reduce((s, x) => s + x, 0);
  const equal = !(total > 0);
  const scale = equal ? candidates.length : total;
  let low = 0;
  for (let k = 0; k < candidates.length; k++) {
    const width = equal ? 1 : (weights[k] as number);
    const from = low;
    low += width;
    // The last candidate takes floating-point leftovers, as the picker's does.
    const x = Math.max(a, from / scale);
    const y = Math.min(b, k === candidates.length - 1 ? 1 : low / scale);
    if (!(y > x)) continue;
    const child = node.children[candidates[k] as number] as ShareNode;
    if (child.yields !== 'bound') {
      measureUnion(node, candidates.filter((_, j) => j !== k), x, y, w, work);
      continue;
    }
    const ix = clamp01((x * scale - from) / width);
    const iy = clamp01((y * scale - from) / width);
    if (iy > ix) measure(child, ix, iy, (w * (y - x)) / (iy - ix), work);
  }
}

/** Past the step budget: the rest by weight among the members that yield a name. */
function shareByWeight(node: ShareNode, candidates: number[], a: number, b: number, w: number, work: { steps: number }): void {
  const bound = candidates.filter((i) => node.children[i]?.yields === 'bound');
  const total = bound.reduce((s, i) => s + (node.weights[i] ?? 0), 0);
  for (const i of bound) {
    const share = total > 0 ? (node.weights[i] ?? 0) / total : 1 / bound.length;
    measure(node.children[i] as ShareNode, 0, 1, (b - a) * w * share, work);
  }
}

function sumShares(node: ShareNode): number {
  return (node.share += node.children.reduce((s, c) => s + sumShares(c), 0));
}

const clamp01 = (x: number): number => (x > 0 ? (x < 1 ? x : 1) : 0);

// --- Text: the delegator's view, indented by depth. -------------------------------------------------
export function formatDiagnosis(d: Diagnosis): string {
  const lines: string[] = [`${d.request.method} ${d.request.path} to ${d.name}${d.dtabPath ? ` (${d.dtabPath})` : ''}`];
  for (const [k, v] of Object.entries(d.request.headers)) lines.push(`  ${k}: ${v}`);
  for (const p of d.problems) lines.push(`problem: ${p}`);
  const r = d.route;
  if (!r.matched) lines.push(`route: none; ${r.answer}`);
  else {
    lines.push(`route: ${r.name} (${r.source === 'routes' ? 'an HTTPRoute or GRPCRoute rule' : r.source === 'profile' ? 'the ServiceProfile' : 'no routes or profile: the default route'})`);
    lines.push(...routeSettings(r).map((s) => `  ${s}`));
  }
  for (const b of d.backends) {
    lines.push(`backend ${b.authority}  weight ${b.weight} (${pct(b.sharePercent)} of requests)`);
    if (b.dtabPath !== undefined) {
      lines.push('  dtab:', ...b.dtab.map((l) => `    #${l.index} ${l.dentry}  (${l.source})`));
      lines.push(`  delegation of ${b.dtabPath}:`, ...b.trace.map((t) => `    ${'  '.repeat(t.depth)}${traceText(t, b.dtab)}`));
      if (b.omittedSteps > 0) lines.push(`    (${b.omittedSteps} more steps left out)`);
    }
    lines.push('  bound:');
    treeLines(b.tree, 2, '', lines);
  }
  lines.push('outcome:', ...d.outcomes.map((o) => `  ${pct(o.percent).padStart(8)}  ${o.authority !== undefined ? `${o.authority} (${o.endpoints ?? 0} endpoint${o.endpoints === 1 ? '' : 's'})` : o.error}`));
  return `${lines.join('\n')}\n`;
}

function routeSettings(r: Extract<RouteReport, { matched: true }>): string[] {
  const out: string[] = [];
  if (r.redirect) out.push(`redirect: answers ${r.redirect.statusCode} with Location ${r.redirect.location}; no backend is asked`);
  const perAttempt = r.attemptTimeoutMs !== undefined ? `, ${r.attemptTimeoutMs}ms per attempt` : '';
  if (r.timeoutMs !== undefined || perAttempt) out.push(`timeout: ${r.timeoutMs !== undefined ? `${r.timeoutMs}ms in all` : 'none in all'}${perAttempt}`);
  const budget = `budget ${Math.round(r.retryBudget.retryRatio * 100)}% of requests + ${r.retryBudget.minRetriesPerSecond}/s`;
  out.push(r.retry ? `retries: up to ${r.retry.maxRetries}, ${r.retry.backoffMs > 0 ? `backoff ${r.retry.backoffMs}ms` : "the proxy's default backoff"}, ${budget}` : 'retries: none');
  if (r.fault?.abort) out.push(`fault: aborts ${pct(r.fault.abort.percent)} of requests with ${r.fault.abort.status}`);
  if (r.fault?.delay) out.push(`fault: delays ${pct(r.fault.delay.percent)} of requests by ${r.fault.delay.ms}ms`);
  if (r.requestHeaders) out.push(`request headers: ${editText(r.requestHeaders)}`);
  if (r.responseHeaders) out.push(`response headers: ${editText(r.responseHeaders)}`);
  return out;
}

function editText(e: HeaderEdit): string {
  const parts = [...e.set.map(([k, v]) => `set ${k}: ${v}`), ...e.add.map(([k, v]) => `add ${k}: ${v}`), ...e.remove.map((k) => `remove ${k}`)];
  return parts.length === 0 ? 'unchanged' : parts.join('; ');
}

function traceText(t: TraceLine, dtab: readonly DentryLine[]): string {
  switch (t.kind) {
    case 'match':
      return `${t.path}: dentry #${t.dentryIndex ?? '?'} ${dtab.find((l) => l.index === t.dentryIndex)?.dentry ?? ''} rewrites to ${t.rewrite ?? '?'} => ${t.result ?? '?'}`;
    case 'bound':
      return `${t.path}: bound name`;
    case 'neg':
      return `${t.path}: no dentry matches (neg)`;
    case 'fail':
      return `${t.path}: failed: ${t.reason ?? ''}`;
  }
}

function treeLines(node: BoundNode, depth: number, label: string, out: string[]): void {
  const lead = `${'  '.repeat(depth)}${pct(node.sharePercent).padStart(8)}  ${label}`;
  const pad = `${'  '.repeat(depth + 1)}${' '.repeat(10)}`;
  switch (node.kind) {
    case 'leaf':
      if (node.authority === undefined) {
        out.push(`${lead}${node.path ?? ''}  ${node.problem ?? ''}`);
        return;
      }
      out.push(`${lead}${node.path !== undefined ? `${node.path} -> ` : ''}${node.authority}${node.problem ? `  (${node.problem})` : ''}${node.sharePercent > 0 ? '' : '  (not reached)'}`);
      if (node.sharePercent === 0) return;
      if (!node.endpoints || node.endpoints.length === 0) out.push(`${pad}no endpoints: requests wait for one, then fail`);
      else for (const e of node.endpoints) out.push(`${pad}${e.addr}${labelsText(e.labels)}`);
      return;
    case 'alt':
      out.push(`${lead}alternation: the first branch that binds${node.problem ? `; none does: ${node.problem}` : ''}`);
      for (const b of node.branches) treeLines(b, depth + 1, '', out);
      return;
    case 'union':
      out.push(`${lead}union: by weight${node.problem ? `; no member binds: ${node.problem}` : ''}`);
      for (const m of node.members) treeLines(m.node, depth + 1, `${weightToString(m.weight)} * `, out);
      return;
    case 'fail':
      out.push(`${lead}! ${node.reason}`);
      return;
    case 'neg':
    case 'empty':
      out.push(`${lead}${node.kind === 'neg' ? '~' : '$'} ${node.problem ?? 'no name here; the next branch is tried'}`);
      return;
    case 'omitted':
      out.push(`${lead}(${node.branches} more branches left out)`);
  }
}

const labelsText = (labels: Readonly<Record<string, string>>): string => Object.entries(labels).map(([k, v], i) => `${i === 0 ? '  ' : ','}${k}=${v}`).join('');
const pct = (p: number): string => `${Number.isInteger(p) ? p : p.toFixed(2)}%`;
