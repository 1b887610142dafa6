// A request's deadline: the earliest of the route's timeout, the caller's own `loom-request-timeout`
// and the `loom-ctx-deadline` an upstream hop propagated. The deadline travels downstream as an
// absolute time in milliseconds since the epoch (as Finagle's and Linkerd 1's deadline contexts do),
// so each hop's proxy applies what remains of it; apps pass `loom-ctx-*` headers along.
import { headerValue } from '../http/headers.js';
import type { HeaderList } from '../http/types.js';

export const DEADLINE_HEADER = 'loom-ctx-deadline';
export const REQUEST_TIMEOUT_HEADER = 'loom-request-timeout';

export interface Deadline {
  /** Epoch ms; undefined when nothing bounds the request. */
  readonly at: number | undefined;
  /** What remains at `now`. */
  readonly timeoutMs: number;
  /** Why a deadline header was ignored (it is reported, never fatal). */
  readonly error?: string;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;

export function readDeadline(headers: HeaderList, routeTimeoutMs: number | undefined, now: number): Deadline {
  let at = routeTimeoutMs === undefined ? undefined : now + routeTimeoutMs;
  let error: string | undefined;
  const timeout = headerValue(headers, REQUEST_TIMEOUT_HEADER);
  if (timeout !== undefined) {
    const m = DURATION.exec(timeout.trim());
    if (m) at = earliest(at, now + Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm']));
    else error = `${REQUEST_TIMEOUT_HEADER} "${timeout.slice(0, 64)}" is not a duration (e.g. 500ms, 2s); ignored`;
  }
  const propagated = headerValue(headers, DEADLINE_HEADER);
  if (propagated !== undefined) {
    const value = Number(propagated);
    if (/^\d{1,16}$/.test(propagated.trim()) && Number.isSafeInteger(value)) at = earliest(at, value);
    else error = `${DEADLINE_HEADER} "${propagated.slice(0, 64)}" is not a time in epoch milliseconds; ignored`;
  }
  return { at, timeoutMs: at === undefined ? 0 : Math.round(at - now), ...(error ? { error } : {}) };
}

function earliest(a: number | undefined, b: number): number {
  return a === undefined ? b : Math.min(a, b);
}
