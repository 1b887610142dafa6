// A logical service's compiled client policy: its route plans, its retry budget, and its dtab with the
// delegations of each backend name resolved once and reused until the policy changes. Rebuilt as a
// whole on each policy update; requests in flight keep the router they started with.
import type { ClientPolicy } from '../../routing/client-policy.js';
import { pathToString, pickBound, resolve, type BoundTree, type Dtab, type Path } from '../../routing/dtab/index.js';
import { parseDtab } from '../../routing/dtab/parser.js';
import { compilePolicy, type PolicyPlan, type RoutePlan } from '../../routing/route-plan.js';
import { BASE_DENTRY, boundToAuthority, parseServiceName, serviceDtabPath } from '../../routing/service-name.js';
import { DtabError } from '../errors.js';
import { RetryBudget } from '../http/retry-budget.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import type { RouteMetrics } from '../metrics/route-metrics.js';

const BASE_DTAB: Dtab = [BASE_DENTRY];
/** Bound names resolved for one dtab; more distinct names than this and the cache starts over. */
const MAX_BINDINGS = 1024;

/** A service name's dtab path and what the dtab makes of it; null for names that are not services. */
interface Delegation {
  readonly path: Path;
  readonly tree: BoundTree;
}

export type Binding = { ok: true; authority: string } | { ok: false; error: DtabError };

export class Router {
  readonly plan: PolicyPlan;
  readonly budget: RetryBudget;
  /** The dtab in force: the base dentry, then the policy's; a dtab that does not parse is left out. */
  readonly dtab: Dtab;
  readonly dtabProblem: string | undefined;
  /** Whether any dentry beyond the base can rewrite a name: without one, binding is skipped. */
  readonly delegates: boolean;
  private readonly bindings = new Map<string, Delegation | null>();
  private readonly routeMetrics = new Map<RoutePlan, RouteMetrics>();
  private readonly authorities = new WeakMap<Path, string | null>();

  constructor(
    readonly name: string,
    policy: ClientPolicy,
    private readonly metrics: ProxyMetrics,
  ) {
    this.plan = compilePolicy(policy);
    this.budget = new RetryBudget(this.plan.retryBudget);
    let dtab = BASE_DTAB;
    let problem: string | undefined;
    if (policy.dtab) {
      const parsed = parseDtab(policy.dtab.text);
      if (parsed.ok) dtab = BASE_DTAB.concat(parsed.value);
      else problem = `dtab ${policy.dtab.namespace} (version ${policy.dtab.version}) does not parse: ${parsed.error.message}`;
    }
    this.dtab = dtab;
    this.dtabProblem = problem;
    this.delegates = dtab.length > 1;
  }

  metricsFor(plan: RoutePlan): RouteMetrics {
    let m = this.routeMetrics.get(plan);
    if (m === undefined) {
      m = this.metrics.route({ direction: 'outbound', dst: this.name, rt_route: plan.name });
      this.routeMetrics.set(plan, m);
    }
    return m;
  }

  /**
   * The authority a backend name is sent to after delegation. `override` is the request's own dtab
   * (this router's plus the override header's dentries); names outside `<svc>.<ns>.svc:<port>` are
   * not delegated.
   */
  bind(authority: string, override: Dtab | undefined, random: number): Binding {
    if (override === undefined && !this.delegates) return { ok: true, authority };
    const delegation = override === undefined ? this.cached(authority) : delegate(override, authority);
    if (delegation === null) return { ok: true, authority };
    const { path, tree } = delegation;
    const picked = pickBound(tree, random);
    if (picked.kind === 'bound') {
      const bound = this.authorityOf(picked.name);
      if (bound !== null) return { ok: true, authority: bound };
    }
    // Only a failed delegation spells the path out, for its message.
    const name = pathToString(path);
    if (picked.kind === 'fail') return { ok: false, error: new DtabError(name, picked.reason) };
    if (picked.kind === 'neg') return { ok: false, error: new DtabError(name, 'no dentry binds it') };
    if (picked.kind === 'empty') return { ok: false, error: new DtabError(name, 'it delegates to an empty set ($)') };
    return { ok: false, error: new DtabError(name, `${pathToString(picked.name)} is not a name Loom can dial; use /#/loom.svc/<ns>/<port>/<svc> or /$/inet/<host>/<port>`) };
  }

  /** The policy dtab's delegation of a name, resolved on first use. */
  private cached(authority: string): Delegation | null {
    let delegation = this.bindings.get(authority);
    if (delegation === undefined) {
      if (this.bindings.size >= MAX_BINDINGS) this.bindings.clear();
      delegation = delegate(this.dtab, authority);
      this.bindings.set(authority, delegation);
    }
    return delegation;
  }

  private authorityOf(path: Path): string | null {
    let authority = this.authorities.get(path);
    if (authority === undefined) {
      authority = boundToAuthority(path) ?? null;
      this.authorities.set(path, authority);
    }
    return authority;
  }
}

function delegate(dtab: Dtab, authority: string): Delegation | null {
  const service = parseServiceName(authority);
  if (service === undefined) return null;
  const path = serviceDtabPath(service);
  return { path, tree: resolve(dtab, path).tree };
}
