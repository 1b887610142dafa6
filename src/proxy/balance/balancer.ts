// Per-request load balancing over one concrete service's endpoints: power of two choices, each
// endpoint weighed by its peak-EWMA cost. Discovery feeds it through the EndpointListener calls.

import type { Endpoint, EndpointListener } from '../discovery/types.js';
import { NoEndpointsError } from './errors.js';
import { PeakEwma } from './peak-ewma.js';

export interface BalancedEndpoint<S> {
  readonly endpoint: Endpoint;
  readonly service: S;
  readonly load: PeakEwma;
}

export interface BalancerOptions<S> {
  /** The service's logical name, for error messages. */
  name: string;
  makeService(endpoint: Endpoint): S;
  dropService(service: S): void;
  defaultRttMs: number;
  decayMs: number;
  now?: () => number;
  random?: () => number;
}

interface Waiter<S> {
  resolve(entry: BalancedEndpoint<S>): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  since: number;
}

// A weight of zero or less would divide by zero; it becomes tiny so the endpoint loses every pair.
const MIN_WEIGHT = 1e-6;

export class Balancer<S> implements EndpointListener {
  readonly name: string;
  private readonly options: BalancerOptions<S>;
  private readonly now: () => number;
  private readonly random: () => number;
  // The array makes a uniform random pick O(1); the map finds an addr's slot for swap-removal.
  private readonly list: BalancedEndpoint<S>[] = [];
  private readonly indexOf = new Map<string, number>();
  private readonly waiters = new Set<Waiter<S>>();
  private exists = false;
  private closed = false;

  constructor(options: BalancerOptions<S>) {
    this.options = options;
    this.name = options.name;
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
  }

  get size(): number {
    return this.list.length;
  }

  /** A snapshot of the current endpoints, for diagnostics. */
  endpoints(): BalancedEndpoint<S>[] {
    return this.list.slice();
  }

  add(endpoints: readonly Endpoint[]): void {
    if (this.closed) return;
    for (const endpoint of endpoints) this.upsert(endpoint);
    this.exists = true;
    if (this.list.length > 0) this.releaseWaiters();
  }

  remove(addrs: readonly string[]): void {
    for (const addr of addrs) {
      const removed = this.removeAddr(addr);
      if (removed) this.options.dropService(removed.service);
    }
  }

  noEndpoints(exists: boolean): void {
    this.dropAll();
    this.exists = exists;
  }

  /** Power of two choices: two distinct random endpoints, the one with the lower cost per weight wins. */
  pick(): BalancedEndpoint<S> | undefined {
    const n = this.list.length;
    if (n <= 1) return this.list[0];
    const i = this.randomIndex(n);
    let j = this.randomIndex(n - 1);
    if (j >= i) j += 1;
    const a = this.list[i];
    const b = this.list[j];
    if (a === undefined || b === undefined) return a ?? b;
    return weightedCost(b) < weightedCost(a) ? b : a;
  }

  /** Picks now if there are endpoints, otherwise waits for discovery to add some. */
  ready(timeoutMs: number): Promise<BalancedEndpoint<S>> {
    if (this.closed) return Promise.reject(new NoEndpointsError(this.name, this.exists, 0));
    const picked = this.pick();
    if (picked) return Promise.resolve(picked);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<S> = {
        resolve,
        reject,
        since: this.now(),
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new NoEndpointsError(this.name, this.exists, timeoutMs));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Drops every service and fails every waiter; later discovery updates are ignored. */
  close(): void {
    this.closed = true;
    this.dropAll();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new NoEndpointsError(this.name, this.exists, Math.round(this.now() - waiter.since)));
    }
    this.waiters.clear();
  }

  private upsert(endpoint: Endpoint): void {
    const index = this.indexOf.get(endpoint.addr);
    const old = index === undefined ? undefined : this.list[index];
    if (index === undefined || old === undefined) {
      this.indexOf.set(endpoint.addr, this.list.length);
      this.list.push(this.makeEntry(endpoint));
      return;
    }
    if (sameConnection(old.endpoint, endpoint)) {
      // Labels or weight changed: keep the connection and the load history.
      this.list[index] = { endpoint, service: old.service, load: old.load };
      return;
    }
    // Make the new service before dropping the old one, so a throwing makeService leaves the old intact.
    this.list[index] = this.makeEntry(endpoint);
    this.options.dropService(old.service);
  }

  private makeEntry(endpoint: Endpoint): BalancedEndpoint<S> {
    const { defaultRttMs, decayMs } = this.options;
    const load = new PeakEwma({ defaultRttMs, decayMs, now: this.now });
    return { endpoint, service: this.options.makeService(endpoint), load };
  }

  // Swap-remove: the last entry fills the hole, so removal is O(1) and the array stays dense.
  private removeAddr(addr: string): BalancedEndpoint<S> | undefined {
    const index = this.indexOf.get(addr);
    if (index === undefined) return undefined;
    this.indexOf.delete(addr);
    const last = this.list.pop();
    if (last === undefined || index === this.list.length) return last;
    const removed = this.list[index];
    this.list[index] = last;
    this.indexOf.set(last.endpoint.addr, index);
    return removed;
  }

  private dropAll(): void {
    const entries = this.list.splice(0);
    this.indexOf.clear();
    for (const entry of entries) this.options.dropService(entry.service);
  }

  private releaseWaiters(): void {
    for (const waiter of this.waiters) {
      const picked = this.pick();
      if (!picked) return;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve(picked);
    }
  }

  private randomIndex(n: number): number {
    return Math.min(n - 1, Math.floor(this.random() * n));
  }
}

function weightedCost(entry: BalancedEndpoint<unknown>): number {
  const weight: number | undefined = entry.endpoint.weight;
  const effective = weight === undefined ? 1 : weight > 0 ? weight : MIN_WEIGHT;
  return entry.load.cost() / effective;
}

// Host, port and protocol decide the connection; labels and weight are only bookkeeping.
function sameConnection(a: Endpoint, b: Endpoint): boolean {
  return a.host === b.host && a.port === b.port && a.meshed === b.meshed && a.identity === b.identity;
}
