// The outbound side: traffic from the local app to other services. Read top to bottom, a connection
// flows: accept -> detect -> (HTTP) logical service by authority -> [client policy: route -> split
// -> dtab -> retries and timeouts] -> concrete balancer -> endpoint client -> telemetry -> upstream;
// (TCP) fixed target -> balancer -> endpoint -> byte copy.
// A listener's fixed target (LOOM_PROXY_OUTBOUND_TCP_FORWARDS) is the seam where the
// original-destination address will plug in.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AccessLog } from '../access-log.js';
import { normalizeName } from '../../lib/host-port.js';
import type { Discovery } from '../discovery/types.js';
import type { EndpointClients } from '../endpoint/endpoint-client.js';
import type { ProxyConfig } from '../env.js';
import { BadRequestError, LoopError, ProxyError } from '../errors.js';
import { createH1Server } from '../http/h1-server.js';
import { createH2Server } from '../http/h2-server.js';
import { ObservedSink, type ObserveContext } from '../http/observe.js';
import type { ProxyRequest, RequestTarget, ResponseSink } from '../http/types.js';
import { rejectUpgrade, tunnelUpgrade } from '../http/upgrade.js';
import { Listener } from '../listener.js';
import type { Logger } from '../log.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import type { TapHub } from '../tap/tap-hub.js';
import { forwardTcp } from '../tcp/forward.js';
import type { BalancedEndpoint } from '../balance/balancer.js';
import { applyDtabOverride, DTAB_HEADERS } from '../../routing/dtab/index.js';
import { ConcreteTarget, TargetCache } from './concrete.js';
import type { EndpointTarget } from './endpoint-target.js';
import { LogicalTarget } from './logical.js';
import { requestHead, RoutedRequest, type RoutingContext } from './routed-request.js';
import { DTAB_ERROR_HEADER } from './route-sink.js';
import { isSelfAddress } from './self-address.js';
import { NoRouteError } from '../errors.js';

export interface OutboundDeps {
  config: ProxyConfig;
  discovery: Discovery;
  clients: EndpointClients;
  metrics: ProxyMetrics;
  accessLog: AccessLog | null;
  tap: TapHub;
  logger: Logger;
  /** Addresses of this proxy's own listeners, to refuse requests that would loop back. */
  selfAddrs: Set<string>;
}

/** A request that never reached an endpoint. */
const UNROUTED: RequestTarget = { addr: '', identity: '', labels: {} };

export class OutboundProxy {
  private readonly concretes: TargetCache<ConcreteTarget>;
  private readonly logicals: TargetCache<LogicalTarget>;
  private readonly observe: ObserveContext;
  private readonly routing: RoutingContext;
  private readonly names = new Map<string, string>();

  constructor(private readonly deps: OutboundDeps) {
    const { config, discovery, clients, metrics } = deps;
    const settings = {
      ewmaDefaultRttMs: config.ewmaDefaultRttMs,
      ewmaDecayMs: config.ewmaDecayMs,
      failureAccrual:
        config.failureAccrualConsecutive > 0
          ? { consecutiveFailures: config.failureAccrualConsecutive, minBackoffMs: config.failureAccrualMinBackoffMs, maxBackoffMs: Math.max(config.failureAccrualMinBackoffMs, config.failureAccrualMaxBackoffMs) }
          : undefined,
    };
    this.concretes = new TargetCache((name) => new ConcreteTarget(name, discovery, clients, metrics, settings));
    this.logicals = new TargetCache((name) => new LogicalTarget(name, discovery, this.concretes, metrics, (n, router) => this.policyChanged(n, router?.dtabProblem)));
    this.observe = { direction: 'outbound', accessLog: deps.accessLog, tap: deps.tap };
    this.routing = { targets: this.concretes, observe: this.observe, queueTimeoutMs: config.queueTimeoutMs, random: Math.random };
  }

  private policyChanged(name: string, dtabProblem: string | undefined): void {
    if (dtabProblem) this.deps.logger.warn({ name, problem: dtabProblem }, 'policy: the dtab is left out until it parses');
    else this.deps.logger.debug({ name }, 'policy: updated');
  }

  /** A listener; `fixedTarget` (name:port) makes every connection on it go to that service. */
  listener(name: string, fixedTarget?: string): Listener {
    const { config } = this.deps;
    const handle = (req: ProxyRequest, sink: ResponseSink): void => this.routeHttp(req, sink, fixedTarget);
    const opaque = fixedTarget !== undefined && config.opaquePorts.has(Number(fixedTarget.slice(fixedTarget.lastIndexOf(':') + 1)));
    return new Listener(name, {
      opaque,
      detectTimeoutMs: config.detectTimeoutMs,
      http1: createH1Server(
        { headerReadTimeoutMs: config.headerReadTimeoutMs, idleTimeoutMs: config.clientIdleTimeoutMs, maxHeaderBytes: config.maxHeaderBytes },
        handle,
        (req, socket, head) => this.routeUpgrade(req, socket, head, fixedTarget),
      ),
      h2: () => createH2Server({ maxHeaderBytes: config.maxHeaderBytes, idleTimeoutMs: config.clientIdleTimeoutMs }, handle),
      loomH2: handle,
      maxHeaderBytes: config.maxHeaderBytes,
      tcp: (socket, final) => this.routeTcp(socket, fixedTarget, final),
      accepted: this.deps.metrics.tcp({ direction: 'outbound', peer: 'src', target_addr: fixedTarget ?? '', tls: 'no_identity', no_tls_reason: 'loopback' }),
    });
  }

  private resolve(authority: string): LogicalTarget {
    let name = this.names.get(authority);
    if (name === undefined) {
      if (authority === '') throw new BadRequestError('the request names no destination: send a Host header or an absolute URI');
      try {
        name = normalizeName(authority);
      } catch (err) {
        throw new BadRequestError(`cannot route to "${authority}": ${(err as Error).message}`);
      }
      if (isSelfAddress(name, this.deps.selfAddrs)) throw new LoopError(name);
      if (this.names.size > 10_000) this.names.clear();
      this.names.set(authority, name);
    }
    return this.logicals.get(name);
  }

  private routeHttp(req: ProxyRequest, sink: ResponseSink, fixedTarget: string | undefined): void {
    let logical: LogicalTarget;
    try {
      logical = this.resolve(fixedTarget ?? req.authority);
    } catch (err) {
      sink.error(err as Error);
      return;
    }
    const override = dtabOverride(req.headers);
    if (logical.router !== null || override !== undefined) {
      this.routeWithPolicy(logical, req, sink, override);
      return;
    }
    const target = logical.concrete();
    const picked = target.balancer.pick();
    if (picked) {
      this.forward(req, sink, picked);
      return;
    }
    target.balancer.ready(this.deps.config.queueTimeoutMs).then(
      (ready) => this.forward(req, sink, ready),
      (err: Error) => new ObservedSink(sink, req, target.unroutedHttp, null, this.observe, UNROUTED).error(err),
    );
  }

  private routeWithPolicy(logical: LogicalTarget, req: ProxyRequest, sink: ResponseSink, override: string | string[] | undefined): void {
    const router = logical.routerOrEmpty();
    let dtab;
    let extra: string[] | null = null;
    if (override !== undefined) {
      // A malformed override is ignored for routing and reported to the caller, never fatal.
      const applied = applyDtabOverride(router.dtab, override);
      if (applied.ok) dtab = applied.value;
      else extra = [DTAB_ERROR_HEADER, headerSafe(applied.error.message)];
    }
    const decision = router.plan.route(requestHead(req));
    if (decision.kind === 'no-route') {
      new ObservedSink(sink, req, logical.concrete().unroutedHttp, null, this.observe, UNROUTED).error(new NoRouteError(logical.name, req.method, req.path));
      return;
    }
    new RoutedRequest(this.routing, router, decision.plan, req, sink, dtab, extra).start();
  }

  private forward(req: ProxyRequest, sink: ResponseSink, picked: BalancedEndpoint<EndpointTarget>): void {
    const { service } = picked;
    service.client.dispatch(req, new ObservedSink(sink, req, service.http, picked, this.observe, service.target));
  }

  private routeUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, fixedTarget: string | undefined): void {
    let target: ConcreteTarget;
    try {
      target = this.resolve(fixedTarget ?? upgradeAuthority(req)).concrete();
    } catch (err) {
      rejectUpgrade(socket, err as Error);
      return;
    }
    target.balancer.ready(this.deps.config.queueTimeoutMs).then(
      ({ service, health }) => {
        // An upgraded connection says nothing of the endpoint's HTTP health: free a probe slot it took.
        health?.cancel();
        tunnelUpgrade(req, socket, head, service.client.transport, service.endpoint.addr, this.deps.config.connectTimeoutMs);
      },
      (err: Error) => rejectUpgrade(socket, err),
    );
  }

  private routeTcp(socket: Socket, fixedTarget: string | undefined, final?: Buffer): void {
    if (fixedTarget === undefined) {
      // Without a target there is nowhere to send bytes that are not HTTP.
      this.deps.logger.debug({ client: socket.remoteAddress }, 'outbound: opaque connection with no target; closing');
      socket.destroy();
      return;
    }
    const target = this.concretes.get(fixedTarget);
    target.balancer.ready(this.deps.config.queueTimeoutMs).then(
      ({ service, load, health }) => {
        const openedAt = service.tcp.open();
        const startedAt = load.start();
        let connected = false;
        forwardTcp(socket, service.client.transport('loom.io/opaque', true), service.endpoint.addr, {
          connectTimeoutMs: this.deps.config.connectTimeoutMs,
          final,
          onConnect: () => {
            health?.record(false);
            load.end(startedAt);
            // An open connection is load on its endpoint until it closes.
            load.start();
            connected = true;
          },
          onConnectError: (err) => {
            health?.record(true);
            load.cancel();
            this.deps.logger.info({ target: fixedTarget, err: err.message }, 'outbound: TCP connect failed');
            socket.destroy();
          },
          onClose: (r) => {
            if (connected) load.cancel();
            service.tcp.read(r.bytesFromClient);
            service.tcp.write(r.bytesToClient);
            service.tcp.close(openedAt, r.errno);
          },
        });
      },
      (err: ProxyError) => {
        this.deps.logger.info({ target: fixedTarget, err: err.message }, 'outbound: no endpoint for TCP connection');
        socket.destroy();
      },
    );
  }

  close(): void {
    this.logicals.close();
    this.concretes.close();
  }
}

function upgradeAuthority(req: IncomingMessage): string {
  const url = req.url ?? '';
  if (url.startsWith('http://') || url.startsWith('ws://')) {
    try {
      return new URL(url).host;
    } catch {
      return '';
    }
  }
  return req.headers.host ?? '';
}

/** The request's dtab override header(s), loom-dtab or l5d-dtab; undefined when it has none. */
function dtabOverride(headers: readonly string[]): string | string[] | undefined {
  let found: string | string[] | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name !== DTAB_HEADERS[0] && name !== DTAB_HEADERS[1]) continue;
    const value = headers[i + 1] as string;
    found = found === undefined ? value : typeof found === 'string' ? [found, value] : [...found, value];
  }
  return found;
}

/** A message fit for a header value: printable ASCII, one line, bounded. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, ' ').slice(0, 300);
}
