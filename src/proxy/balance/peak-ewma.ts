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

  /**
   * Estimated latency times (pending + 1): what one more request here is expected to cost. Reading
   * decays the estimate towards zero, so an endpoint that has not been measured lately (a slow one
   * that lost every pick, or a new one) becomes worth probing again.
   */
  cost(): number {
    this.observe(0, this.now());
    return this.estimateMs * (this.inFlight + 1);
  }

  get pending(): number {
    return this.inFlight;
  }

  get rttMs(): number {
    return this.estimateMs;
  }

  // Peak-sensitive: a slower sample replaces the estimate at once; a faster one (or 0, the pure
  // decay used by cost()) pulls it down with the weight of the time since the last update.
  private observe(sampleMs: number, now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    if (sampleMs > this.estimateMs) {
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
