// The recent responses of one endpoint, as counts of requests and failures, for a success-rate rule.
// Both windows are fixed-size arrays allocated once per endpoint: recording a response allocates nothing.

export interface OutcomeWindow {
  add(failure: boolean, now: number): void;
  /** Responses in the window (after expiring old ones as of the last add). */
  readonly requests: number;
  readonly failures: number;
  clear(): void;
}

/** The last `size` responses, whenever they came. */
export class RequestWindow implements OutcomeWindow {
  private readonly ring: Uint8Array;
  private next = 0;
  private filled = 0;
  private failed = 0;

  constructor(size: number) {
    this.ring = new Uint8Array(size);
  }

  add(failure: boolean): void {
    const size = this.ring.length;
    if (this.filled === size) this.failed -= this.ring[this.next] ?? 0;
    else this.filled += 1;
    const bit = failure ? 1 : 0;
    this.ring[this.next] = bit;
    this.failed += bit;
    this.next = this.next + 1 === size ? 0 : this.next + 1;
  }

  get requests(): number {
    return this.filled;
  }

  get failures(): number {
    return this.failed;
  }

  clear(): void {
    this.ring.fill(0);
    this.next = 0;
    this.filled = 0;
    this.failed = 0;
  }
}

// Ten buckets trade precision at the window's trailing edge (a tenth of it) for constant memory.
const BUCKETS = 10;

/** The responses of the last `windowMs`, in buckets that expire a tenth of the window at a time. */
export class TimeWindow implements OutcomeWindow {
  private readonly bucketMs: number;
  private readonly total = new Float64Array(BUCKETS);
  private readonly failed = new Float64Array(BUCKETS);
  private epoch = -Infinity;
  private sumTotal = 0;
  private sumFailed = 0;

  constructor(windowMs: number) {
    this.bucketMs = windowMs / BUCKETS;
  }

  add(failure: boolean, now: number): void {
    this.advance(Math.max(0, Math.floor(now / this.bucketMs)));
    const i = this.epoch % BUCKETS;
    this.total[i] = (this.total[i] ?? 0) + 1;
    this.sumTotal += 1;
    if (!failure) return;
    this.failed[i] = (this.failed[i] ?? 0) + 1;
    this.sumFailed += 1;
  }

  get requests(): number {
    return this.sumTotal;
  }

  get failures(): number {
    return this.sumFailed;
  }

  clear(): void {
    this.total.fill(0);
    this.failed.fill(0);
    this.sumTotal = 0;
    this.sumFailed = 0;
  }

  // Empties the buckets of every epoch passed since the last add: at most BUCKETS, so O(1).
  private advance(epoch: number): void {
    if (epoch <= this.epoch) return;
    if (epoch - this.epoch >= BUCKETS) this.clear();
    else for (let e = this.epoch + 1; e <= epoch; e++) this.expire(e % BUCKETS);
    this.epoch = epoch;
  }

  private expire(i: number): void {
    this.sumTotal -= this.total[i] ?? 0;
    this.sumFailed -= this.failed[i] ?? 0;
    this.total[i] = 0;
    this.failed[i] = 0;
  }
}
