// Logical services (what the app asked for, `name:port`), each with a balancer fed by discovery.
// Built on first use and cached; services nobody used for a sweep interval are dropped.
import net from 'node:net';
import { Balancer } from '../balance/balancer.js';
import { parseHostPort, type HostPort } from '../discovery/host-port.js';
import type { Discovery, Endpoint, Subscription } from '../discovery/types.js';
import type { EndpointClients } from '../endpoint/endpoint-client.js';
import type { HttpMetrics } from '../metrics/http-metrics.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import { EndpointTarget } from './concrete.js';

export interface LogicalSettings {
  ewmaDefaultRttMs: number;
  ewmaDecayMs: number;
}

export class LogicalTarget {
  readonly balancer: Balancer<EndpointTarget>;
  /** Metrics for requests that failed before an endpoint was chosen (e.g. no endpoints). */
  readonly unroutedHttp: HttpMetrics;
  used = true;
  private readonly subscription: Subscription;

  constructor(
    readonly name: string,
    discovery: Discovery,
    clients: EndpointClients,
    metrics: ProxyMetrics,
    settings: LogicalSettings,
  ) {
    this.balancer = new Balancer<EndpointTarget>({
      name,
      defaultRttMs: settings.ewmaDefaultRttMs,
      decayMs: settings.ewmaDecayMs,
      makeService: (endpoint) => new EndpointTarget(endpoint, name, clients, metrics),
      dropService: (target) => clients.release(target.client),
    });
    this.unroutedHttp = metrics.http({ direction: 'outbound', authority: name, target_addr: '', tls: 'no_identity' });
    const direct = directAddress(name);
    this.subscription = direct ? staticEndpoint(name, direct, this.balancer) : discovery.watch(name, this.balancer);
  }

  close(): void {
    this.subscription.unsubscribe();
    this.balancer.close();
  }
}

/** An IP:port the app addressed directly is forwarded as is (the original destination). */
function directAddress(name: string): HostPort | undefined {
  const parsed = parseHostPort(name);
  return parsed.ok && net.isIP(parsed.value.host) !== 0 ? parsed.value : undefined;
}

function staticEndpoint(name: string, { host, port }: HostPort, balancer: Balancer<EndpointTarget>): Subscription {
  const endpoint: Endpoint = { addr: name, host, port, meshed: false, weight: 1, labels: {} };
  balancer.add([endpoint]);
  return { unsubscribe: () => undefined };
}

export class LogicalTargets {
  private readonly targets = new Map<string, LogicalTarget>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly discovery: Discovery,
    private readonly clients: EndpointClients,
    private readonly metrics: ProxyMetrics,
    private readonly settings: LogicalSettings,
    idleSweepMs = 60_000,
  ) {
    this.sweeper = setInterval(() => this.sweep(), idleSweepMs);
    this.sweeper.unref();
  }

  get(name: string): LogicalTarget {
    let target = this.targets.get(name);
    if (target === undefined) {
      target = new LogicalTarget(name, this.discovery, this.clients, this.metrics, this.settings);
      this.targets.set(name, target);
    }
    target.used = true;
    return target;
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
