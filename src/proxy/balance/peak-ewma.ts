// One endpoint's load, as Finagle's and Linkerd's peak-EWMA balancers see it: a latency estimate that
// jumps up to any slower response at once and drifts back down slowly, times the requests in flight.

export interface PeakEwmaOptions {
  /** Latency assumed until the first response has been measured. */
  defaultRttMs: number;
  /** Decay time constant: after `decayMs` an older estimate keeps e^-1 (~37%) of its weight. */
  decayMs: number;
  /** Clock in milliseconds; injectable so tests are deterministic. */
  now?: () => number;
}

export class PeakEwma {
  private readonly decayMs: number;
  private readonly now: () => number;
  private estimateMs: number;
  private updatedAt: number;
  private sampled = false;
  private inFlight = 0;

  constructor({ defaultRttMs, decayMs, now = () => performance.now() }: PeakEwmaOptions) {
    this.decayMs = decayMs;
    this.now = now;
    this.estimateMs = defaultRttMs;
    this.updatedAt = now();
  }

  /** Counts a request as in flight; hand the returned timestamp to end(). */
  start(): number {
    this.inFlight += 1;
    return this.now();
  }

  /** The response arrived: the request is no longer in flight and its latency is a sample. */
  end(startedAt: number): void {
    this.release();
    const now = this.now();
    this.observe(Math.max(0, now - startedAt), now);
  }

  /** The request failed before any response: it stops counting, but says nothing about latency. */
  cancel(): void {
    this.release();
  }

  /** Estimated latency times (pending + 1): what one more request here is expected to cost. */
  cost(): number {
    return this.estimateMs * (this.inFlight + 1);
  }

  get pending(): number {
    return this.inFlight;
  }

  get rttMs(): number {
    return this.estimateMs;
  }

  // Decay happens only when a sample arrives (not on cost()), which keeps cost() a pure read;
  // an idle endpoint therefore keeps its last estimate until it is measured again.
  private observe(sampleMs: number, now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    // The default is a guess, not a measurement: the first real sample replaces it outright.
    if (!this.sampled || sampleMs > this.estimateMs) {
      this.sampled = true;
      this.estimateMs = sampleMs;
      return;
    }
    const w = this.decayMs > 0 ? Math.exp(-elapsed / this.decayMs) : 0;
    this.estimateMs = this.estimateMs * w + sampleMs * (1 - w);
  }

  // Never below zero: a late end() after the endpoint was dropped or a double cancel must be harmless.
  private release(): void {
    if (this.inFlight > 0) this.inFlight -= 1;
  }
}
