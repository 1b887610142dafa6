// Discovery from the control plane's Destination API: one Get stream per logical name, shared by
// every listener of that name. When the control plane is down or restarts, the last-known
// endpoints stay in force and the stream is re-opened with backoff; the first answer after a
// reconnect is reconciled against what listeners already have.
import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Destination, type Update, type WeightedAddr } from '../../api/gen/loom/destination/v1/destination_pb.js';
import { formatHostPort } from '../../lib/host-port.js';
import { followStream } from './reconnect.js';
import { PolicyStream } from './policy-stream.js';
import type { Discovery, Endpoint, EndpointListener, PolicyListener, Subscription } from './types.js';

export interface DestinationDiscoveryOptions {
  /** The control plane's gRPC address, host:port. */
  addr: string;
  /** Who is asking (e.g. the workload's name), sent with every request. */
  contextToken: string;
  onError?: (name: string, err: Error) => void;
  /** The dtab namespace whose table applies to this proxy's requests (default `default`). */
  dtabNamespace?: string;
  /** A policy (or a resource in it) the control plane sent that does not validate. */
  onPolicyProblem?: (name: string, problem: string) => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

type DestinationClient = Client<typeof Destination>;

export class DestinationDiscovery implements Discovery {
  private readonly client: DestinationClient;
  private readonly streams = new Map<string, NameStream>();
  private readonly policies = new Map<string, PolicyStream>();

  constructor(private readonly opts: DestinationDiscoveryOptions) {
    this.client = createClient(Destination, createGrpcTransport({ baseUrl: `http://${opts.addr}` }));
  }

  watch(name: string, listener: EndpointListener): Subscription {
    return subscribe(this.streams, name, listener, () => new NameStream(name, this.client, this.opts));
  }

  watchPolicy(name: string, listener: PolicyListener): Subscription {
    return subscribe(this.policies, name, listener, () => {
      const { contextToken, dtabNamespace = 'default', onError, onPolicyProblem, minBackoffMs, maxBackoffMs } = this.opts;
      return new PolicyStream(name, this.client, {
        contextToken,
        dtabNamespace,
        ...(minBackoffMs !== undefined ? { minBackoffMs } : {}),
        ...(maxBackoffMs !== undefined ? { maxBackoffMs } : {}),
        onError: (err) => onError?.(name, err),
        ...(onPolicyProblem ? { onProblem: onPolicyProblem } : {}),
      });
    });
  }

  close(): void {
    for (const s of this.streams.values()) s.stop();
    for (const s of this.policies.values()) s.stop();
    this.streams.clear();
    this.policies.clear();
  }
}

interface SharedStream<L> {
  addListener(listener: L): void;
  removeListener(listener: L): number;
  run(): Promise<void>;
  stop(): void;
}

/** One stream per name, shared by its listeners; the last to leave stops it. */
function subscribe<L>(streams: Map<string, SharedStream<L>>, name: string, listener: L, open: () => SharedStream<L>): Subscription {
  let stream = streams.get(name);
  if (!stream) {
    stream = open();
    streams.set(name, stream);
    void stream.run();
  }
  const s = stream;
  s.addListener(listener);
  return {
    unsubscribe: () => {
      if (s.removeListener(listener) === 0) {
        s.stop();
        streams.delete(name);
      }
    },
  };
}

class NameStream {
  private readonly endpoints = new Map<string, Endpoint>();
  private exists: boolean | undefined;
  private readonly listeners = new Set<EndpointListener>();
  private readonly abort = new AbortController();

  constructor(
    private readonly name: string,
    private readonly client: DestinationClient,
    private readonly opts: DestinationDiscoveryOptions,
  ) {}

  addListener(listener: EndpointListener): void {
    this.listeners.add(listener);
    if (this.endpoints.size > 0) listener.add([...this.endpoints.values()]);
    else if (this.exists !== undefined) listener.noEndpoints(this.exists);
  }

  removeListener(listener: EndpointListener): number {
    this.listeners.delete(listener);
    return this.listeners.size;
  }

  stop(): void {
    this.abort.abort();
  }

  run(): Promise<void> {
    return followStream(
      (signal) => this.client.get({ path: this.name, contextToken: this.opts.contextToken }, { signal }),
      (update, first) => this.apply(update, first),
      this.abort.signal,
      { ...this.opts, onError: (err) => this.opts.onError?.(this.name, err) },
    );
  }

  private apply(update: Update, resync: boolean): void {
    const u = update.update;
    if (u.case === 'add') {
      const added = u.value.addrs.flatMap((a) => toEndpoint(a, u.value.metricLabels));
      const stale = resync ? [...this.endpoints.keys()].filter((addr) => !added.some((e) => e.addr === addr)) : [];
      for (const addr of stale) this.endpoints.delete(addr);
      for (const e of added) this.endpoints.set(e.addr, e);
      this.exists = true;
      for (const l of this.listeners) {
        if (added.length > 0) l.add(added);
        if (stale.length > 0) l.remove(stale);
      }
    } else if (u.case === 'remove') {
      const gone = u.value.addrs.map((a) => formatHostPort(a.ip, a.port)).filter((addr) => this.endpoints.delete(addr));
      for (const l of this.listeners) {
        if (gone.length > 0) l.remove(gone);
        if (this.endpoints.size === 0) l.noEndpoints(true);
      }
    } else if (u.case === 'noEndpoints') {
      this.endpoints.clear();
      this.exists = u.value.exists;
      for (const l of this.listeners) l.noEndpoints(u.value.exists);
    }
  }
}

function toEndpoint(a: WeightedAddr, shared: Record<string, string>): Endpoint[] {
  if (!a.addr) return [];
  const host = a.addr.ip;
  const port = a.addr.port;
  return [
    {
      addr: formatHostPort(host, port),
      host,
      port,
      meshed: a.protocolHint?.protocol.case === 'loom',
      weight: a.weight > 0 ? a.weight : 1,
      ...(a.tlsIdentity === '' ? {} : { identity: a.tlsIdentity }),
      labels: { ...shared, ...a.metricLabels },
    },
  ];
}
