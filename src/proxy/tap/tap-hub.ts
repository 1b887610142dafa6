// Who is tapping this proxy: each open tap's filter, rate limit and queue. With no one tapping,
// `active` is false and a request pays one property read for tap; only a matching request builds
// a TappedRequest.
import { performance } from 'node:perf_hooks';
import { AsyncQueue } from '../../lib/async-queue.js';
import type { ProxyRequest, RequestTarget } from '../http/types.js';
import { TokenBucket } from './rate-limit.js';
import type { TapEventBody, TapEventRecord, TapPeer } from './tap-event.js';
import { compileTapFilter, type TapDirection, type TapFilter, type TapMatcher } from './tap-match.js';

/** A consumer slower than this many events loses the newest ones rather than growing the proxy's memory. */
const QUEUE_LIMIT = 10_000;

export class TapSubscription extends AsyncQueue<TapEventRecord> {
  /** Events lost because the consumer fell behind. */
  dropped = 0;

  constructor(
    readonly matches: TapMatcher,
    readonly limiter: TokenBucket,
    private readonly onClose: (s: TapSubscription) => void,
  ) {
    super(QUEUE_LIMIT);
  }

  send(event: TapEventRecord): void {
    // A refusal while the queue has room means the tap has closed: nothing was lost to anyone.
    if (!this.push(event) && this.size >= QUEUE_LIMIT) this.dropped++;
  }

  override close(): void {
    super.close();
    this.onClose(this);
  }
}

export class TapHub {
  private subscriptions: TapSubscription[] = [];
  private nextId = 1;

  /** `localIdentity`: what this proxy proves over mTLS ('' without identity). */
  constructor(private readonly localIdentity: string) {}

  get active(): boolean {
    return this.subscriptions.length > 0;
  }

  /** Opens a tap; iterate it for events, close it to stop. */
  subscribe(filter: TapFilter, maxRps: number): TapSubscription {
    const sub = new TapSubscription(compileTapFilter(filter), new TokenBucket(maxRps), (s) => {
      this.subscriptions = this.subscriptions.filter((x) => x !== s);
    });
    this.subscriptions = [...this.subscriptions, sub];
    return sub;
  }

  /** Ends every open tap (shutdown). */
  closeAll(): void {
    for (const sub of this.subscriptions) sub.close();
  }

  /** The taps that want this request (and have budget for it), or null. */
  open(req: ProxyRequest, direction: TapDirection, target: RequestTarget): TappedRequest | null {
    let matched: TapSubscription[] | null = null;
    for (const sub of this.subscriptions) {
      if (sub.matches(req, direction, target.labels) && sub.limiter.take()) (matched ??= []).push(sub);
    }
    if (matched === null) return null;
    const tls = direction === 'inbound' ? req.clientId !== '' : target.identity !== '';
    const source: TapPeer = { address: req.clientAddr, identity: direction === 'inbound' ? req.clientId : tls ? this.localIdentity : '', labels: {} };
    const destination: TapPeer = { address: target.addr, identity: direction === 'inbound' ? (tls ? this.localIdentity : '') : target.identity, labels: target.labels };
    const tapped = new TappedRequest(this.nextId++, direction, source, destination, tls, matched);
    tapped.emit({ case: 'requestInit', value: { method: req.method, scheme: req.scheme, authority: req.authority, path: req.path } });
    return tapped;
  }
}

/** One tapped request: its three events go to every tap that admitted it. */
export class TappedRequest {
  private readonly startedAt = performance.now();

  constructor(
    private readonly id: number,
    private readonly direction: TapDirection,
    private readonly source: TapPeer,
    private readonly destination: TapPeer,
    private readonly tls: boolean,
    private readonly subscriptions: readonly TapSubscription[],
  ) {}

  responseInit(httpStatus: number): void {
    this.emit({ case: 'responseInit', value: { httpStatus, sinceRequestInitMs: this.elapsedMs() } });
  }

  responseEnd(httpStatus: number, responseBytes: number, grpcStatus: number | undefined, error: string | undefined): void {
    const value = { httpStatus, sinceRequestInitMs: this.elapsedMs(), responseBytes, error: error ?? '', ...(grpcStatus === undefined ? {} : { grpcStatus }) };
    this.emit({ case: 'responseEnd', value });
  }

  emit(event: TapEventBody): void {
    const record: TapEventRecord = {
      id: this.id,
      direction: this.direction,
      source: this.source,
      destination: this.destination,
      tls: this.tls,
      timestampMs: performance.timeOrigin + performance.now(),
      event,
    };
    for (const sub of this.subscriptions) sub.send(record);
  }

  private elapsedMs(): number {
    return performance.now() - this.startedAt;
  }
}
