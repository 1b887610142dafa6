// What the tap API streams to the CLI and dashboard: one JSON line per proxy event, named with the
// workloads at both ends, and with the request's head repeated on its response and end so a reader
// needs no state of its own.
import type { Peer, TapEvent } from '../../api/gen/loom/tap/v1/tap_pb.js';
import { Direction } from '../../api/gen/loom/tap/v1/tap_pb.js';
import type { TapTarget } from './proxy-tap.js';

export interface TapEndpoint {
  address: string;
  /** '' when the hop was not mTLS. */
  identity: string;
  namespace?: string;
  workload?: string;
  pod?: string;
}

export interface TapLine {
  /** `<namespace>/<pod>:<n>`: the three lines of one request share it. */
  id: string;
  type: 'request' | 'response' | 'end';
  direction: 'inbound' | 'outbound';
  timestampMs: number;
  tls: boolean;
  source: TapEndpoint;
  destination: TapEndpoint;
  method: string;
  authority: string;
  path: string;
  /** response and end */
  status?: number;
  /** response: time to the response head; end: time to the end of the response. */
  latencyMs?: number;
  responseBytes?: number;
  grpcStatus?: number;
  /** The proxy's error code when the proxy, not the app, ended the request. */
  error?: string;
}

/** What a request's later events share with its first: the ends, the hop and the request's head. */
type RequestHead = Pick<TapLine, 'direction' | 'tls' | 'source' | 'destination' | 'method' | 'authority' | 'path'>;

/** The most requests awaiting their end that one tap remembers. */
const MAX_OPEN_REQUESTS = 10_000;

/** Turns one proxy's events into lines; one per tapped proxy. */
export class TapLineBuilder {
  private readonly open = new Map<bigint, RequestHead>();

  constructor(
    private readonly proxy: TapTarget,
    private readonly workloadOf: (identity: string) => { namespace: string; workload: string } | undefined,
  ) {}

  line(e: TapEvent): TapLine | undefined {
    let head: RequestHead | undefined;
    if (e.event.case === 'requestInit') {
      head = this.head(e, e.event.value);
      if (this.open.size >= MAX_OPEN_REQUESTS) this.open.clear();
      this.open.set(e.id, head);
    } else {
      head = this.open.get(e.id);
      if (e.event.case === 'responseEnd') this.open.delete(e.id);
    }
    if (head === undefined) return undefined; // its request was seen before the tap started
    const line: TapLine = { id: `${this.proxy.namespace}/${this.proxy.pod}:${e.id}`, type: 'request', timestampMs: e.timestampMs, ...head };
    if (e.event.case === 'responseInit') Object.assign(line, { type: 'response', status: e.event.value.httpStatus, latencyMs: e.event.value.sinceRequestInitMs });
    if (e.event.case === 'responseEnd') {
      const v = e.event.value;
      Object.assign(line, { type: 'end', status: v.httpStatus, latencyMs: v.sinceRequestInitMs, responseBytes: Number(v.responseBytes) });
      if (v.grpcStatus !== undefined) line.grpcStatus = v.grpcStatus;
      if (v.error !== '') line.error = v.error;
    }
    return line;
  }

  private head(e: TapEvent, request: { method: string; authority: string; path: string }): RequestHead {
    const direction = e.direction === Direction.INBOUND ? 'inbound' : 'outbound';
    const self = { namespace: this.proxy.namespace, workload: this.proxy.workload, pod: this.proxy.pod };
    return {
      direction,
      tls: e.tls,
      source: direction === 'inbound' ? this.remote(e.source) : { ...endpoint(e.source), ...self },
      destination: direction === 'inbound' ? { ...endpoint(e.destination), ...self } : this.outboundDestination(e.destination),
      method: request.method,
      authority: request.authority,
      path: request.path,
    };
  }

  /** The far end: named by the workload its identity belongs to, when one does. */
  private remote(peer: Peer | undefined): TapEndpoint {
    const base = endpoint(peer);
    const owner = base.identity === '' ? undefined : this.workloadOf(base.identity);
    return owner ? { ...base, ...owner } : base;
  }

  private outboundDestination(peer: Peer | undefined): TapEndpoint {
    const base = this.remote(peer);
    const labels = peer?.labels ?? {};
    return {
      ...base,
      ...(labels.namespace ? { namespace: labels.namespace } : {}),
      ...(labels.deployment ? { workload: labels.deployment } : {}),
      ...(labels.pod ? { pod: labels.pod } : {}),
    };
  }
}

function endpoint(peer: Peer | undefined): TapEndpoint {
  return { address: peer?.address ?? '', identity: peer?.identity ?? '' };
}
