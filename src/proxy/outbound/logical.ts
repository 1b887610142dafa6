// Logical services: what the app asked for (`name:port`). Each follows its client policy from
// discovery; without one (and without a dtab override on the request) requests go straight to the
// concrete target of the same name, the fast path.
import type { ClientPolicy } from '../../routing/client-policy.js';
import type { Discovery, Subscription } from '../discovery/types.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import { directAddress, type ConcreteTarget, type TargetCache } from './concrete.js';
import { Router } from './router.js';

export class LogicalTarget {
  /** The compiled policy; null when none applies (the fast path). */
  router: Router | null = null;
  used = true;
  private own: ConcreteTarget;
  private plain: Router | null = null;
  private readonly subscription: Subscription | undefined;

  constructor(
    readonly name: string,
    discovery: Discovery,
    private readonly targets: TargetCache<ConcreteTarget>,
    private readonly metrics: ProxyMetrics,
    onPolicy?: (name: string, router: Router | null) => void,
  ) {
    this.own = targets.get(name);
    // An address the app dialled directly has no routes or delegation.
    if (directAddress(name) === undefined && discovery.watchPolicy) {
      this.subscription = discovery.watchPolicy(name, (policy) => {
        this.router = policy ? new Router(name, policy, metrics) : null;
        onPolicy?.(name, this.router);
      });
    }
  }

  /** The concrete target of the same name, re-fetched if the cache swept it while routes were in force. */
  concrete(): ConcreteTarget {
    if (this.own.closed) this.own = this.targets.get(this.name);
    this.own.used = true;
    return this.own;
  }

  /** The policy's router, or an empty policy's for a request that brings its own dtab override. */
  routerOrEmpty(): Router {
    if (this.router) return this.router;
    const empty: ClientPolicy = { name: this.name, httpRoutes: [], grpcRoutes: [] };
    this.plain ??= new Router(this.name, empty, this.metrics);
    return this.plain;
  }

  close(): void {
    this.subscription?.unsubscribe();
  }
}
