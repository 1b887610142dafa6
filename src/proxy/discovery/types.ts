// The proxy's one view of service discovery. The static source implements it now; the control
// plane's streaming Destination API implements it later behind the same interface.
import type { ClientPolicy } from '../../routing/client-policy.js';

/** One address a logical service can be reached at. */
export interface Endpoint {
  /** `host:port` (IPv6 as `[::1]:port`): the key of the endpoint within its set. */
  readonly addr: string;
  readonly host: string;
  readonly port: number;
  /** The endpoint is another Loom proxy's inbound listener: speak HTTP/2 to it. */
  readonly meshed: boolean;
  /** The identity the endpoint's proxy must prove over mTLS; absent when it has none. */
  readonly identity?: string;
  /** Relative weight for load balancing (default 1). */
  readonly weight: number;
  /** Metric labels, exported as `dst_<key>` (e.g. pod, namespace, deployment). */
  readonly labels: Readonly<Record<string, string>>;
}

/** Receives incremental updates for one logical name, like the Destination API's stream. */
export interface EndpointListener {
  /** Endpoints added, or changed (same addr, new metadata). */
  add(endpoints: readonly Endpoint[]): void;
  /** Endpoints removed, by addr. */
  remove(addrs: readonly string[]): void;
  /** The set is now empty; `exists` says whether the name is known at all. */
  noEndpoints(exists: boolean): void;
}

export interface Subscription {
  unsubscribe(): void;
}

/** Receives a logical name's client policy: now, then on every change; undefined when none applies. */
export type PolicyListener = (policy: ClientPolicy | undefined) => void;

export interface Discovery {
  /**
   * Streams the endpoint set of `name` (`host:port`) to `listener`: the current state first
   * (add, or noEndpoints), then each change.
   */
  watch(name: string, listener: EndpointListener): Subscription;
  /** Streams the client policy of `name` (routes, profile, dtab); absent for sources without policies. */
  watchPolicy?(name: string, listener: PolicyListener): Subscription;
  close(): void;
}
