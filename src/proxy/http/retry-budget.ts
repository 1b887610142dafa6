// A retry budget as Finagle and Linkerd define it: over a sliding `ttl`, allow
// `minRetriesPerSecond * ttl` retries plus `retryRatio` of the requests seen, so retries cannot
// multiply the load on a failing service. Built once per target; O(1) and allocation-free per call.

export interface RetryBudgetOptions {
  /** Retries allowed per original request in the window; kept to 0.001, at most 1000. */
  retryRatio?: number;
  /** A reserve for clients that just started or send little; the window holds this times ttl. */
  minRetriesPerSecond?: number;
  /** How long a request's deposit (and a retry's withdrawal) counts; 1s to 60s. */
  ttlMs?: number;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
}

// Tokens are integers (a retry costs SCALE, a request earns ratio * SCALE) so sums stay exact.
const SCALE = 1000;
// Ten slots trade precision at the window's trailing edge (a tenth of the ttl) for constant memory.
const SLOTS = 10;

export class RetryBudget {
  private readonly depositTokens: number;
  private readonly reserve: number;
  private readonly slotMs: number;
  private readonly now: () => number;
  private readonly ring = new Float64Array(SLOTS);
  private epoch = -Infinity;
  private sum = 0;
  private allowed = 0;
  private skipped = 0;

  constructor({ retryRatio = 0.2, minRetriesPerSecond = 10, ttlMs = 10_000, now = performance.now.bind(performance) }: RetryBudgetOptions = {}) {
    if (!(retryRatio >= 0 && retryRatio <= 1000)) throw new RangeError(`retryRatio must be in [0, 1000]: ${retryRatio}`);
    if (retryRatio > 0 && retryRatio < 1 / SCALE) throw new RangeError(`retryRatio below ${1 / SCALE} would round to 0: ${retryRatio}`);
    if (!(minRetriesPerSecond >= 0 && Number.isFinite(minRetriesPerSecond))) throw new RangeError(`minRetriesPerSecond must be >= 0: ${minRetriesPerSecond}`);
    if (!(ttlMs >= 1000 && ttlMs <= 60_000)) throw new RangeError(`ttlMs must be in [1000, 60000]: ${ttlMs}`);
    this.depositTokens = Math.round(retryRatio * SCALE);
    this.reserve = Math.round(minRetriesPerSecond * (ttlMs / 1000) * SCALE);
    this.slotMs = ttlMs / SLOTS;
    this.now = now;
  }

  /** Credit one original request (not a retry). */
  deposit(): void {
    this.advance();
    this.add(this.depositTokens);
  }

  /** Take one retry from the budget; false (and nothing taken) when it is exhausted. */
  tryWithdraw(): boolean {
    this.advance();
    if (this.reserve + this.sum < SCALE) {
      this.skipped += 1;
      return false;
    }
    this.add(-SCALE);
    this.allowed += 1;
    return true;
  }

  /** Retries the budget permitted, for metrics. */
  get retriesAllowed(): number {
    return this.allowed;
  }

  /** Retries refused because the budget was exhausted, for metrics. */
  get retriesSkipped(): number {
    return this.skipped;
  }

  /** Retries that could be made now. */
  get balance(): number {
    this.advance();
    return Math.max(0, Math.floor((this.reserve + this.sum) / SCALE));
  }

  private add(tokens: number): void {
    const i = slotIndex(this.epoch);
    this.ring[i] = (this.ring[i] ?? 0) + tokens;
    this.sum += tokens;
  }

  // Clears the slots that fell out of the window since the last call: at most SLOTS of them.
  private advance(): void {
    const slot = Math.floor(this.now() / this.slotMs);
    if (slot <= this.epoch) return;
    const stale = Math.min(slot - this.epoch, SLOTS);
    for (let k = 0; k < stale; k++) {
      const i = slotIndex(slot - k);
      this.sum -= this.ring[i] ?? 0;
      this.ring[i] = 0;
    }
    this.epoch = slot;
  }
}

function slotIndex(slot: number): number {
  return ((slot % SLOTS) + SLOTS) % SLOTS;
}
