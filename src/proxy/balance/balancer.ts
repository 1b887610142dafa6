// Per-request load balancing over one concrete service's endpoints: power of two choices, each
// endpoint weighed by its peak-EWMA cost, skipping endpoints that failure accrual has ejected.
// Discovery feeds it through the EndpointListener calls.

import type { Endpoint, EndpointListener } from '../discovery/types.js';
import { NoEndpointsError } from './errors.js';
import { EndpointHealth, HealthTally, resolveFailureAccrual, type AccrualSettings, type FailureAccrualPolicy } from './failure-accrual.js';
import { PeakEwma } from './peak-ewma.js';

export interface BalancedEndpoint<S> {
  readonly endpoint: Endpoint;
  readonly service: S;
  readonly load: PeakEwma;
  /** Failure accrual for this endpoint; null when the balancer has no policy. */
  readonly health: EndpointHealth | null;
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
  /** Eject endpoints whose responses keep failing; absent, every endpoint is always eligible. */
  failureAccrual?: FailureAccrualPolicy;
}

interface Waiter<S> {
  resolve(entry: BalancedEndpoint<S>): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  since: number;
}

// A weight of zero or less would divide by zero; it becomes tiny so the endpoint loses every pair.
const MIN_WEIGHT = 1e-6;
// Random draws tried before scanning for an available endpoint: enough while most are available.
const MAX_DRAWS = 4;

export class Balancer<S> implements EndpointListener {
  readonly name: string;
  private readonly options: BalancerOptions<S>;
  private readonly now: () => number;
  private readonly random: () => number;
  // The array makes a uniform random pick O(1); the map finds an addr's slot for swap-removal.
  private readonly list: BalancedEndpoint<S>[] = [];
  private readonly indexOf = new Map<string, number>();
  private readonly waiters = new Set<Waiter<S>>();
  private readonly tally = new HealthTally();
  private accrual: AccrualSettings | null;
  private exists = false;
  private closed = false;

  constructor(options: BalancerOptions<S>) {
    this.options = options;
    this.name = options.name;
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.accrual = options.failureAccrual ? resolveFailureAccrual(options.failureAccrual) : null;
  }

  get size(): number {
    return this.list.length;
  }

  /** Endpoints ejected or probing, for metrics. */
  get ejected(): number {
    return this.tally.unhealthy;
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
      if (removed) this.retire(removed);
    }
  }

  noEndpoints(exists: boolean): void {
    this.dropAll();
    this.exists = exists;
  }

  /**
   * Power of two choices: two distinct random endpoints, the one with the lower cost per weight wins.
   * Ejected endpoints are skipped, unless all are out: then, like Envoy's panic mode, any may be picked,
   * since a request to a failing endpoint may still succeed where a refused one cannot.
   */
  pick(): BalancedEndpoint<S> | undefined {
    // Health is consulted only while some endpoint is out, so the common case costs one comparison.
    return this.tally.unhealthy > 0 ? this.pickAvailable() : this.pickAny();
  }

  /** Changes the failure accrual policy live; undefined turns it off and readmits every endpoint. */
  setFailureAccrual(policy: FailureAccrualPolicy | undefined): void {
    const next = policy ? resolveFailureAccrual(policy) : null;
    this.accrual = next;
    for (const [i, entry] of this.list.entries()) {
      if (entry.health && next) entry.health.configure(next);
      else if (entry.health || next) {
        // A new entry rather than a mutated one: requests in flight keep the health they were picked with.
        entry.health?.detach();
        this.list[i] = { endpoint: entry.endpoint, service: entry.service, load: entry.load, health: this.makeHealth() };
      }
    }
  }

  private pickAny(): BalancedEndpoint<S> | undefined {
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

  // P2C over the available endpoints only; the winner takes its probe slot if it is probing.
  private pickAvailable(): BalancedEndpoint<S> | undefined {
    const now = this.now();
    const i = this.findAvailable(now, -1);
    if (i < 0) return this.pickAny();
    const j = this.findAvailable(now, i);
    const a = this.list[i];
    const b = j < 0 ? undefined : this.list[j];
    const winner = a === undefined || b === undefined ? (a ?? b) : weightedCost(b) < weightedCost(a) ? b : a;
    winner?.health?.admit(now);
    return winner;
  }

  // A uniformly random available index other than `skip`, or -1: a few draws (O(1) while most are
  // available), then a scan that counts the available ones and takes a random one of them.
  private findAvailable(now: number, skip: number): number {
    const n = this.list.length;
    const others = skip < 0 ? n : n - 1;
    if (others <= 0) return -1;
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      let k = this.randomIndex(others);
      if (skip >= 0 && k >= skip) k += 1;
      if (this.isAvailable(k, now)) return k;
    }
    let count = 0;
    for (let k = 0; k < n; k++) if (k !== skip && this.isAvailable(k, now)) count += 1;
    if (count === 0) return -1;
    let r = this.randomIndex(count);
    for (let k = 0; k < n; k++) {
      if (k === skip || !this.isAvailable(k, now)) continue;
      if (r === 0) return k;
      r -= 1;
    }
    return -1;
  }

  private isAvailable(k: number, now: number): boolean {
    const health = this.list[k]?.health;
    return !health || health.available(now);
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
      // Labels or weight changed: keep the connection, the load history and the failure history.
      this.list[index] = { endpoint, service: old.service, load: old.load, health: old.health };
      return;
    }
    // Make the new service before dropping the old one, so a throwing makeService leaves the old intact.
    this.list[index] = this.makeEntry(endpoint);
    this.retire(old);
  }

  private makeEntry(endpoint: Endpoint): BalancedEndpoint<S> {
    const { defaultRttMs, decayMs } = this.options;
    const load = new PeakEwma({ defaultRttMs, decayMs, now: this.now });
    return { endpoint, service: this.options.makeService(endpoint), load, health: this.makeHealth() };
  }

  private makeHealth(): EndpointHealth | null {
    if (!this.accrual) return null;
    return new EndpointHealth(this.accrual, { now: this.now, random: this.random, tally: this.tally });
  }

  // Requests still in flight may record on the entry's health later; detached, they no longer count here.
  private retire(entry: BalancedEndpoint<S>): void {
    entry.health?.detach();
    this.options.dropService(entry.service);
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
    for (const entry of entries) this.retire(entry);
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
