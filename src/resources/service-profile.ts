// ServiceProfile (loom.io/v1alpha2): per-service settings the control plane serves to proxies
// through GetProfile, in the shape of Linkerd's linkerd.io/v1alpha2 ServiceProfile. Named after the
// service's fully qualified name, as Linkerd's are (`web.emojivoto.svc.cluster.local`). Routes
// classify requests by a recursive condition; each may say which responses are failures, whether
// it is safe to retry, and how long to wait. The retry budget caps retries across all routes.

import { z } from 'zod';
import { dnsSubdomain, namespaceField, portNumber, strictObject } from './fields.js';
import { regexValue, uniqueNames } from './http-route.js';

export interface RequestMatch {
  method?: string;
  /** Matched against the whole path, without the query string. */
  pathRegex?: string;
  all?: RequestMatch[];
  any?: RequestMatch[];
  not?: RequestMatch;
}

export interface ResponseMatch {
  /** Inclusive; with only one bound given, just that status. */
  status?: { min?: number; max?: number };
  all?: ResponseMatch[];
  any?: ResponseMatch[];
  not?: ResponseMatch;
}

/** What Linkerd's destination controller serves when a profile sets no retry budget. */
export const DEFAULT_RETRY_BUDGET = { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' } as const;

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_PART = /([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Milliseconds in a Go duration, as Linkerd's time.ParseDuration reads them ("1.5s" -> 1500,
 * "1m30s" -> 90000, "0" -> 0); undefined when the text is not one. Signs are not taken.
 */
export function goDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    GO_PART.lastIndex = at;
    const [, count = '', unit = ''] = GO_PART.exec(text) ?? [];
    if (count === '' || count === '.') return undefined;
    total += Number(count) * (GO_UNITS[unit] ?? NaN);
    at = GO_PART.lastIndex;
  }
  return text === '' || !Number.isFinite(total) ? undefined : total;
}

/** A Go duration string; `rule` may reject some lengths with a message. */
function goDuration(rule: (ms: number, text: string) => string | undefined = () => undefined) {
  return z.string().superRefine((text, ctx) => {
    const ms = goDurationMs(text);
    const problem = ms === undefined ? `${JSON.stringify(text)} is not a duration; write numbers with units (h, m, s, ms, us, ns), e.g. "300ms", "1.5s" or "1m30s"` : rule(ms, text);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
}

const timeout = goDuration((ms) => (ms > 0 ? undefined : 'a zero timeout would fail every request; write a positive duration, e.g. 300ms, or remove timeout'));

// The proxy drops a budget whose ttl is outside 1s..60s (linkerd2-proxy convert_retry_budget).
const ttl = goDuration((ms, text) => (ms >= 1000 && ms <= 60_000 ? undefined : `${JSON.stringify(text)} is outside the retry window's range; use a duration from 1s to 60s, e.g. 10s`));

// An unknown or bad field already has its own message; "empty" on top of it would only confuse.
const noIssues = (payload: { issues: readonly unknown[] }) => payload.issues.length === 0;

const methodValue = z.string().regex(/^[A-Z]+$/, { error: 'write an HTTP method in capitals, e.g. GET' });
const pathRegex = regexValue.min(1, { error: 'is empty; write a regular expression for the path, e.g. /books/\\d+, or remove pathRegex' });

const requestMatch: z.ZodType<RequestMatch> = z.lazy(() =>
  strictObject({
    method: methodValue.optional(),
    pathRegex: pathRegex.optional(),
    all: z.array(requestMatch).optional(),
    any: z.array(requestMatch).optional(),
    not: requestMatch.optional(),
  }).superRefine(someField('method, pathRegex, all, any or not'), { when: noIssues }),
);

const statusCode = (iss: { input?: unknown }) => `${JSON.stringify(iss.input)} is not an HTTP status; use a whole number from 100 to 599`;
const status = z.number().int({ error: statusCode }).min(100, { error: statusCode }).max(599, { error: statusCode });

const statusRange = strictObject({ min: status.optional(), max: status.optional() }).superRefine(checkRange, { when: noIssues });

function checkRange(range: { min?: number; max?: number }, ctx: z.RefinementCtx): void {
  if (range.min === undefined && range.max === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is empty; set min, max or both (only one matches just that status)' });
  } else if (range.min !== undefined && range.max !== undefined && range.max < range.min) {
    ctx.addIssue({ code: 'custom', path: ['max'], message: `${range.max} is below min (${range.min}); make max ${range.min} or more` });
  }
}

const responseMatch: z.ZodType<ResponseMatch> = z.lazy(() =>
  strictObject({
    status: statusRange.optional(),
    all: z.array(responseMatch).optional(),
    any: z.array(responseMatch).optional(),
    not: responseMatch.optional(),
  }).superRefine(someField('status, all, any or not'), { when: noIssues }),
);

/** A condition must say something: Linkerd rejects one with no field set. */
function someField(fields: string) {
  return (match: object, ctx: z.RefinementCtx): void => {
    if (Object.values(match).every((value) => value === undefined)) {
      ctx.addIssue({ code: 'custom', message: `is an empty condition; set at least one of ${fields}` });
    }
  };
}

const route = strictObject({
  name: z.string().min(1, { error: 'a route needs a name; it is the route label in metrics, e.g. GET /books/{id}' }),
  condition: requestMatch,
  responseClasses: z.array(strictObject({ condition: responseMatch, isFailure: z.boolean().default(false) })).default([]),
  isRetryable: z.boolean().default(false),
  timeout: timeout.optional(),
});

const ratio = (iss: { input?: unknown }) => `${JSON.stringify(iss.input)} is not a retry ratio; use a number from 0 to 10 (0.2 lets retries add 20% to the requests)`;
const perSecond = (iss: { input?: unknown }) => `${JSON.stringify(iss.input)} is not a number of retries; use a whole number, 0 or more`;

const retryBudget = strictObject({
  retryRatio: z.number().min(0, { error: ratio }).max(10, { error: ratio }).default(DEFAULT_RETRY_BUDGET.retryRatio),
  minRetriesPerSecond: z.number().int({ error: perSecond }).min(0, { error: perSecond }).default(DEFAULT_RETRY_BUDGET.minRetriesPerSecond),
  ttl: ttl.default(DEFAULT_RETRY_BUDGET.ttl),
});

export const serviceProfileSchema = strictObject({
  apiVersion: z.literal('loom.io/v1alpha2'),
  kind: z.literal('ServiceProfile'),
  metadata: strictObject({ name: dnsSubdomain, namespace: namespaceField }),
  spec: strictObject({
    routes: z.array(route).superRefine(uniqueNames('route')).default([]),
    retryBudget: retryBudget.optional(),
    opaquePorts: z.array(portNumber).default([]),
  }),
});

export type ServiceProfileResource = z.output<typeof serviceProfileSchema>;
export type ProfileRoute = ServiceProfileResource['spec']['routes'][number];
