// Failure accrual, Linkerd's and Finagle's circuit breaker: an endpoint whose responses keep failing
// is ejected from its balancer for a jittered, growing backoff, then readmitted through one probe at a
// time. State is derived from timestamps whenever it is read, so no endpoint needs a timer.

import { RequestWindow, TimeWindow, type OutcomeWindow } from './outcome-window.js';

export interface FailureAccrualPolicy {
  /** Failed responses in a row that eject an endpoint (default 7; 0 turns this rule off). */
  consecutiveFailures?: number;
  /** Also eject an endpoint whose success rate over a window falls below a floor. */
  successRate?: SuccessRatePolicy;
  /** The first ejection's backoff (default 1 s); each further ejection in a row doubles it. */
  minBackoffMs?: number;
  /** The longest backoff (default 60 s). */
  maxBackoffMs?: number;
  /** A probe neither recorded nor cancelled within this is presumed lost and its slot freed (default 30 s). */
  probeTimeoutMs?: number;
}

export interface SuccessRatePolicy {
  /** Eject below this fraction of successful responses, e.g. 0.8. */
  minRate: number;
  /** The window is the last this many responses; give exactly one of windowRequests and windowMs. */
  windowRequests?: number;
  /** The window is the responses of the last this many milliseconds. */
  windowMs?: number;
  /** Fewer responses in the window never eject (default: windowRequests, or 10 with windowMs). */
  minRequests?: number;
}

/** A validated policy with its defaults filled in; one is shared by every endpoint of a balancer. */
export interface AccrualSettings {
  readonly consecutiveFailures: number;
  readonly successRate: Readonly<Required<SuccessRatePolicy>> | null;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly probeTimeoutMs: number;
}

/** Validates a policy (it comes from the control plane) and fills in the defaults; throws RangeError. */
export function resolveFailureAccrual(policy: FailureAccrualPolicy): AccrualSettings {
  const { consecutiveFailures = 7, successRate, minBackoffMs = 1000, maxBackoffMs = 60_000, probeTimeoutMs = 30_000 } = policy;
  check(Number.isInteger(consecutiveFailures) && consecutiveFailures >= 0, 'consecutiveFailures must be a whole number >= 0', consecutiveFailures);
  check(Number.isFinite(minBackoffMs) && minBackoffMs > 0, 'minBackoffMs must be > 0', minBackoffMs);
  check(Number.isFinite(maxBackoffMs) && maxBackoffMs >= minBackoffMs, 'maxBackoffMs must be finite and >= minBackoffMs', maxBackoffMs);
  check(Number.isFinite(probeTimeoutMs) && probeTimeoutMs > 0, 'probeTimeoutMs must be > 0', probeTimeoutMs);
  return { consecutiveFailures, successRate: successRate ? resolveSuccessRate(successRate) : null, minBackoffMs, maxBackoffMs, probeTimeoutMs };
}

function resolveSuccessRate({ minRate, windowRequests = 0, windowMs = 0, minRequests }: SuccessRatePolicy): Required<SuccessRatePolicy> {
  check(minRate >= 0 && minRate <= 1, 'successRate.minRate must be within [0, 1]', minRate);
  check((windowRequests > 0) !== (windowMs > 0), 'successRate needs exactly one of windowRequests and windowMs', `${windowRequests}, ${windowMs}`);
  check(Number.isInteger(windowRequests) && windowRequests >= 0 && windowRequests <= 100_000, 'successRate.windowRequests must be a whole number <= 100000', windowRequests);
  check(Number.isFinite(windowMs) && windowMs >= 0, 'successRate.windowMs must be finite', windowMs);
  const least = minRequests ?? (windowRequests > 0 ? windowRequests : 10);
  // A floor above the window's size could never be reached, so the rule would silently never fire.
  check(least >= 1 && (windowRequests === 0 ? Number.isFinite(least) : least <= windowRequests), 'successRate.minRequests must be >= 1 and fit the window', least);
  return { minRate, windowRequests, windowMs, minRequests: least };
}

function check(ok: boolean, rule: string, got: unknown): void {
  if (!ok) throw new RangeError(`failure accrual: ${rule}, got ${String(got)}`);
}

/** Counts a balancer's endpoints out of full rotation, so it knows in O(1) whether any need skipping. */
export class HealthTally {
  unhealthy = 0;
}

export type HealthState = 'live' | 'ejected' | 'probing';

export interface EndpointHealthOptions {
  now: () => number;
  random: () => number;
  tally?: HealthTally;
}

export class EndpointHealth {
  private settings: AccrualSettings;
  private window: OutcomeWindow | null;
  private tally: HealthTally | null;
  private readonly now: () => number;
  private readonly random: () => number;
  private failuresInARow = 0;
  // Ejected or probing: out of full rotation from an ejection until a probe succeeds.
  private out = false;
  private backoffUntil = 0;
  // Ejections since the last readmission: the backoff's exponent.
  private streak = 0;
  private probeTaken = false;
  private probeAt = 0;
  private ejectionsTotal = 0;

  constructor(settings: AccrualSettings, { now, random, tally }: EndpointHealthOptions) {
    this.settings = settings;
    this.window = makeWindow(settings.successRate);
    this.tally = tally ?? null;
    this.now = now;
    this.random = random;
  }

  get state(): HealthState {
    if (!this.out) return 'live';
    return this.now() < this.backoffUntil ? 'ejected' : 'probing';
  }

  /** Ejections since this endpoint was added, for metrics. */
  get ejections(): number {
    return this.ejectionsTotal;
  }

  /** Whether a balancer may pick this endpoint now: live, or probing with the probe slot free. */
  available(now: number): boolean {
    if (!this.out) return true;
    if (now < this.backoffUntil) return false;
    return !this.probeTaken || now - this.probeAt >= this.settings.probeTimeoutMs;
  }

  /** The balancer picked this endpoint: while probing, that request takes the probe slot. */
  admit(now: number): void {
    if (!this.out || !this.available(now)) return;
    this.probeTaken = true;
    this.probeAt = now;
  }

  /** One finished response; while probing, whichever response comes first settles the probe. */
  record(failure: boolean): void {
    if (this.out) {
      this.settle(failure);
      return;
    }
    if (this.window) this.window.add(failure, this.now());
    if (!failure) {
      this.failuresInARow = 0;
      return;
    }
    this.failuresInARow += 1;
    if (this.tripped()) this.eject(this.now());
  }

  /** The request was abandoned before any response: frees the probe slot without a verdict. */
  cancel(): void {
    this.probeTaken = false;
  }

  /** A new policy from the control plane: ejections and counts carry over; a reshaped window restarts. */
  configure(settings: AccrualSettings): void {
    if (!sameWindow(this.settings.successRate, settings.successRate)) this.window = makeWindow(settings.successRate);
    this.settings = settings;
  }

  /** The balancer let go of this endpoint: later records (of requests in flight) must not touch its tally. */
  detach(): void {
    if (this.out && this.tally) this.tally.unhealthy -= 1;
    this.tally = null;
  }

  private settle(failure: boolean): void {
    const now = this.now();
    // Answers to requests sent before the ejection (or in panic mode) do not cut a backoff short.
    if (now < this.backoffUntil) return;
    this.probeTaken = false;
    if (failure) this.eject(now);
    else this.readmit();
  }

  // Only a failure trips a rule: a success never ejects, even when it finds old successes expired.
  private tripped(): boolean {
    const { consecutiveFailures, successRate } = this.settings;
    if (consecutiveFailures > 0 && this.failuresInARow >= consecutiveFailures) return true;
    const w = this.window;
    if (!w || !successRate || w.requests < successRate.minRequests) return false;
    return (w.requests - w.failures) / w.requests < successRate.minRate;
  }

  private eject(now: number): void {
    if (!this.out && this.tally) this.tally.unhealthy += 1;
    this.out = true;
    this.streak += 1;
    this.ejectionsTotal += 1;
    this.backoffUntil = now + this.backoff();
    this.probeTaken = false;
    // Nothing is counted while out, so the endpoint comes back with a clean slate.
    this.failuresInARow = 0;
    this.window?.clear();
  }

  private readmit(): void {
    if (this.tally) this.tally.unhealthy -= 1;
    this.out = false;
    this.streak = 0;
  }

  private backoff(): number {
    const { minBackoffMs, maxBackoffMs } = this.settings;
    const base = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(this.streak - 1, 40));
    // Jitter up to one more base, so proxies that ejected an endpoint together do not all probe it together.
    return Math.min(maxBackoffMs, base * (1 + this.random()));
  }
}

function makeWindow(rule: AccrualSettings['successRate']): OutcomeWindow | null {
  if (!rule) return null;
  return rule.windowRequests > 0 ? new RequestWindow(rule.windowRequests) : new TimeWindow(rule.windowMs);
}

function sameWindow(a: AccrualSettings['successRate'], b: AccrualSettings['successRate']): boolean {
  return a === b || (a !== null && b !== null && a.windowRequests === b.windowRequests && a.windowMs === b.windowMs);
}
