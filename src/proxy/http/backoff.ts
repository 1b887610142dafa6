// How long to wait before a retry: an exponential delay, capped, with jitter so that proxies that
// saw the same failure do not retry in lockstep. Built once per route; delayMs allocates nothing.

export interface ExponentialBackoffOptions {
  /** The delay before the first retry (before jitter). */
  minMs?: number;
  /** No delay exceeds this. */
  maxMs?: number;
  /** The fraction of each delay that is random: 1 is "full jitter", 0.5 "equal jitter", 0 none. */
  jitter?: number;
}

export class ExponentialBackoff {
  readonly minMs: number;
  readonly maxMs: number;
  readonly jitter: number;

  // Full jitter by default: AWS's measurements show it spreads contending retries widest for the
  // least total work, and the retry budget, not the delay, is what bounds the extra load.
  constructor({ minMs = 25, maxMs = 1000, jitter = 1 }: ExponentialBackoffOptions = {}) {
    if (!(minMs >= 0 && maxMs >= minMs && Number.isFinite(maxMs))) throw new RangeError(`need 0 <= minMs <= maxMs: ${minMs}, ${maxMs}`);
    if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`jitter must be in [0, 1]: ${jitter}`);
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.jitter = jitter;
  }

  /**
   * The delay before retry number `attempt` (0 for the first retry): minMs * 2^attempt capped at
   * maxMs, less up to `jitter` of it; `random` returns [0, 1).
   */
  delayMs(attempt: number, random: () => number = Math.random): number {
    // Past 2^1023 the product is Infinity (or NaN with minMs 0); the cap is reached long before.
    const exponent = attempt > 0 ? Math.min(attempt, 1023) : 0;
    const base = Math.min(this.maxMs, this.minMs * 2 ** exponent);
    return base - base * this.jitter * random();
  }
}
