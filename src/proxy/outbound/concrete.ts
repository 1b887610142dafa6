// Concrete targets: one service (`name:port`) or address the proxy sends to, with a balancer fed by
// discovery. Routes and dtabs choose among them; built on first use and cached; those nobody used
// for a sweep interval are dropped.
import net from 'node:net';
import { Balancer } from '../balance/balancer.js';
import type { FailureAccrualPolicy } from '../balance/failure-accrual.js';
import { parseHostPort, type HostPort } from '../../lib/host-port.js';
import type { Discovery, Endpoint, Subscription } from '../discovery/types.js';
import type { EndpointClients } from '../endpoint/endpoint-client.js';
import type { HttpMetrics } from '../metrics/http-metrics.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import { EndpointTarget } from './endpoint-target.js';

export interface ConcreteSettings {
  ewmaDefaultRttMs: number;
  ewmaDecayMs: number;
  /** Circuit breaking for every balancer; undefined turns it off. */
  failureAccrual: FailureAccrualPolicy | undefined;
}

export class ConcreteTarget {
  readonly balancer: Balancer<EndpointTarget>;
  /** Metrics for requests that failed before an endpoint was chosen (e.g. no endpoints). */
  readonly unroutedHttp: HttpMetrics;
  used = true;
  closed = false;
  private readonly subscription: Subscription;

  constructor(
    readonly name: string,
    discovery: Discovery,
    clients: EndpointClients,
    metrics: ProxyMetrics,
    settings: ConcreteSettings,
  ) {
    this.balancer = new Balancer<EndpointTarget>({
      name,
      defaultRttMs: settings.ewmaDefaultRttMs,
      decayMs: settings.ewmaDecayMs,
      ...(settings.failureAccrual ? { failureAccrual: settings.failureAccrual } : {}),
      makeService: (endpoint) => new EndpointTarget(endpoint, name, clients, metrics),
      dropService: (target) => clients.release(target.client),
    });
    this.unroutedHttp = metrics.http({ direction: 'outbound', authority: name, target_addr: '', tls: 'no_identity' });
    const direct = directAddress(name);
    this.subscription = direct ? staticEndpoint(name, direct, this.balancer) : discovery.watch(name, this.balancer);
  }

  close(): void {
    this.closed = true;
    this.subscription.unsubscribe();
    this.balancer.close();
  }
}

/** An IP:port the app addressed directly is forwarded as is (the original destination). */
export function directAddress(name: string): HostPort | undefined {
  const parsed = parseHostPort(name);
  return parsed.ok && net.isIP(parsed.value.host) !== 0 ? parsed.value : undefined;
}

function staticEndpoint(name: string, { host, port }: HostPort, balancer: Balancer<EndpointTarget>): Subscription {
  const endpoint: Endpoint = { addr: name, host, port, meshed: false, weight: 1, labels: {} };
  balancer.add([endpoint]);
  return { unsubscribe: () => undefined };
}

/** A cache of targets by name, built on first use; those unused for a sweep interval are closed. */
export class TargetCache<T extends { used: boolean; close(): void }> {
  private readonly targets = new Map<string, T>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly make: (name: string) => T,
    idleSweepMs = 60_000,
  ) {
    this.sweeper = setInterval(() => this.sweep(), idleSweepMs);
    this.sweeper.unref();
  }

  get(name: string): T {
    let target = this.targets.get(name);
    if (target === undefined) {
      target = this.make(name);
      this.targets.set(name, target);
    }
    target.used = true;
    return target;
  }

  values(): IterableIterator<T> {
    return this.targets.values();
  }

  private sweep(): void {
    for (const [name, target] of this.targets) {
      if (target.used) target.used = false;
      else {
        this.targets.delete(name);
        target.close();
      }
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const target of this.targets.values()) target.close();
    this.targets.clear();
  }
}
