// HTTPRoute (gateway.networking.k8s.io/v1) as a mesh uses it (GAMMA, GEP-1324): parentRefs name the
// Service whose traffic the route takes over; rules match requests and split them across backendRefs.
// Retry and fault injection have no standard Gateway API fields yet, so they sit under `rules[].loom`,
// a Loom extension; its retry shape follows the experimental `retry` field (GEP-1731).
// The pieces GRPCRoute shares (parentRefs, backendRefs, header matches and modifiers) are exported here.

import { z } from 'zod';
import { dnsLabel, dnsSubdomain, namespaceField, portNumber, serviceName, strictObject } from './fields.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;
const SUPPORTED_FILTERS = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect'];
const UNSUPPORTED_FILTERS = ['URLRewrite', 'RequestMirror', 'CORS', 'ExtensionRef'];
// Gateway API's Duration: up to four number+unit pairs, e.g. "1h30m", "10s", "500ms" (GEP-2257).
const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

export function validRegex(text: string): boolean {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}

export const regexValue = z.string().refine(validRegex, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a valid regular expression; check its brackets, parentheses and escapes`,
});

/** Milliseconds in a Gateway API duration ("1m30s" -> 90000); the schema has checked the format. */
export function durationMs(duration: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const [, count = '0', unit = 'ms'] of duration.matchAll(/([0-9]+)(ms|h|m|s)/g)) total += Number(count) * (units[unit] ?? 0);
  return total;
}

export const durationField = z.string().regex(DURATION, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a duration; write a number and a unit (h, m, s or ms), e.g. "10s" or "500ms"`,
});

const percent = z.number().min(0, { error: percentRule }).max(100, { error: percentRule });
function percentRule(iss: { input?: unknown }): string {
  return `${JSON.stringify(iss.input)} is not a percentage; use a number from 0 to 100`;
}

export const headerName = z.string().regex(HEADER_NAME, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a valid header name; use letters, digits and "-", e.g. x-canary`,
});

export const parentRef = strictObject({
  group: z.literal('', { error: 'a Service is in the core group; write group: "" or remove group' }).optional(),
  kind: z.literal('Service', {
    error: 'Loom routes attach to Services (GAMMA mesh routing), not Gateways; write kind: Service',
  }),
  name: serviceName,
  namespace: dnsLabel.optional(),
  /** Limits the route to traffic addressed to this port of the Service. */
  port: portNumber.optional(),
});

const backendWeight = (iss: { input?: unknown }) =>
  `${JSON.stringify(iss.input)} is not a weight; use a whole number from 0 to 1000000 (0 sends no traffic)`;

export const backendRef = strictObject({
  group: z.literal('', { error: 'a Service is in the core group; write group: "" or remove group' }).optional(),
  kind: z.literal('Service', { error: 'Loom sends route traffic to Services; write kind: Service' }).optional(),
  name: serviceName,
  namespace: dnsLabel.optional(),
  port: portNumber,
  weight: z.number().int({ error: backendWeight }).min(0, { error: backendWeight }).max(1_000_000, { error: backendWeight }).default(1),
});

export const headerMatch = strictObject({
  type: z.enum(['Exact', 'RegularExpression']).default('Exact'),
  name: headerName,
  value: z.string(),
}).superRefine(regexWhenTyped);

function regexWhenTyped(match: { type: string; value: string }, ctx: z.RefinementCtx): void {
  if (match.type === 'RegularExpression' && !validRegex(match.value)) {
    ctx.addIssue({
      code: 'custom',
      path: ['value'],
      message: `${JSON.stringify(match.value)} is not a valid regular expression; check its brackets, parentheses and escapes`,
    });
  }
}

/** Rejects two entries whose `name` (compared as `fold` says) is the same. */
export function uniqueNames<T extends { name: string }>(what: string, fold: (name: string) => string = (n) => n) {
  return (items: readonly T[], ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const key = fold(item.name);
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${what} "${item.name}" is listed twice; list it once` });
      seen.add(key);
    });
  };
}

const lower = (name: string) => name.toLowerCase();
const headerValues = z.array(strictObject({ name: headerName, value: z.string() })).max(16).superRefine(uniqueNames('header', lower));

export const headerModifier = strictObject({
  set: headerValues.optional(),
  add: headerValues.optional(),
  remove: z.array(headerName).max(16).optional(),
});

const pathMatch = strictObject({
  type: z.enum(['Exact', 'PathPrefix', 'RegularExpression']).default('PathPrefix'),
  value: z.string().default('/'),
}).superRefine((path, ctx) => {
  if (path.type === 'RegularExpression') return regexWhenTyped(path, ctx);
  if (!path.value.startsWith('/')) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `${JSON.stringify(path.value)} is not a path; start it with "/", e.g. /api` });
  }
});

const httpMatch = strictObject({
  path: pathMatch.default({ type: 'PathPrefix', value: '/' }),
  headers: z.array(headerMatch).max(16).superRefine(uniqueNames('header', lower)).default([]),
  queryParams: z.array(headerMatch).max(16).superRefine(uniqueNames('query parameter')).default([]),
  method: z.enum(HTTP_METHODS, { error: `write an HTTP method in capitals: one of ${HTTP_METHODS.join(', ')}` }).optional(),
});

const pathModifier = z.discriminatedUnion('type', [
  strictObject({ type: z.literal('ReplaceFullPath'), replaceFullPath: z.string().startsWith('/', { error: 'start the path with "/"' }) }),
  strictObject({ type: z.literal('ReplacePrefixMatch'), replacePrefixMatch: z.string().startsWith('/', { error: 'start the path with "/"' }) }),
], { error: (iss) => (iss.code === 'invalid_union' ? 'write type: ReplaceFullPath or type: ReplacePrefixMatch' : undefined) });

const redirectStatus = (iss: { input?: unknown }) => `${JSON.stringify(iss.input)} is not a redirect status; use 301 or 302`;

const requestRedirect = strictObject({
  scheme: z.enum(['http', 'https']).optional(),
  hostname: dnsSubdomain.optional(),
  path: pathModifier.optional(),
  port: portNumber.optional(),
  statusCode: z.union([z.literal(301), z.literal(302)], { error: redirectStatus }).default(302),
});

export const headerFilters = [
  strictObject({ type: z.literal('RequestHeaderModifier'), requestHeaderModifier: headerModifier }),
  strictObject({ type: z.literal('ResponseHeaderModifier'), responseHeaderModifier: headerModifier }),
] as const;

/** The message for a filter type Loom does not know, or knows but does not carry out yet. */
export function unknownFilter(supported: readonly string[]) {
  return (iss: { code?: string; input?: unknown }): string | undefined => {
    if (iss.code !== 'invalid_union') return undefined;
    const type = (iss.input as { type?: unknown } | undefined)?.type;
    const what = type === undefined ? 'a filter needs a type' : `filter type ${JSON.stringify(type)} is ${UNSUPPORTED_FILTERS.includes(String(type)) ? 'not supported by Loom yet' : 'unknown'}`;
    return `${what}; use one of: ${supported.join(', ')}`;
  };
}

const httpFilter = z.discriminatedUnion(
  'type',
  [...headerFilters, strictObject({ type: z.literal('RequestRedirect'), requestRedirect })],
  { error: unknownFilter(SUPPORTED_FILTERS) },
);

/** Each filter type may appear once in a rule, as Gateway API's validation says. */
export function filtersOnce(filters: readonly { type: string }[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  filters.forEach((filter, i) => {
    if (seen.has(filter.type)) ctx.addIssue({ code: 'custom', path: [i, 'type'], message: `${filter.type} is listed twice in this rule; merge them into one` });
    seen.add(filter.type);
  });
}

const retryCode = (iss: { input?: unknown }) => `${JSON.stringify(iss.input)} is not a retryable status; use a status from 400 to 599, e.g. 503`;
const abortStatus = (iss: { input?: unknown }) => `${JSON.stringify(iss.input)} is not an error status; use a status from 400 to 599, e.g. 503`;

/** Loom's extension to a rule: what Gateway API has no standard field for yet. */
const loomExtension = strictObject({
  retry: strictObject({
    attempts: z.number().int().min(0, { error: 'use a whole number of retries, 0 or more' }).optional(),
    codes: z.array(z.number().int({ error: retryCode }).min(400, { error: retryCode }).max(599, { error: retryCode })).optional(),
    backoff: durationField.optional(),
  }).optional(),
  fault: strictObject({
    abort: strictObject({ status: z.number().int({ error: abortStatus }).min(400, { error: abortStatus }).max(599, { error: abortStatus }), percent }).optional(),
    delay: strictObject({ duration: durationField, percent }).optional(),
  }).optional(),
});

const timeouts = strictObject({ request: durationField.optional(), backendRequest: durationField.optional() }).superRefine((t, ctx) => {
  if (t.request !== undefined && t.backendRequest !== undefined && durationMs(t.request) !== 0 && durationMs(t.backendRequest) > durationMs(t.request)) {
    ctx.addIssue({ code: 'custom', path: ['backendRequest'], message: `is longer than request (${t.request}); make it ${t.request} or less` });
  }
});

const httpRule = strictObject({
  name: dnsLabel.optional(),
  // "If no matches are specified, the default is a prefix path match on "/"" (HTTPRouteRule.matches).
  matches: z.array(httpMatch).max(64).default([{ path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] }]),
  filters: z.array(httpFilter).max(16).superRefine(filtersOnce).default([]),
  backendRefs: z.array(backendRef).max(16).default([]),
  timeouts: timeouts.optional(),
  loom: loomExtension.optional(),
});

export const httpRouteSchema = strictObject({
  apiVersion: z.literal('gateway.networking.k8s.io/v1'),
  kind: z.literal('HTTPRoute'),
  metadata: strictObject({ name: dnsSubdomain, namespace: namespaceField }),
  spec: strictObject({
    parentRefs: z.array(parentRef).min(1, { error: 'is empty; add the Service this route applies to, e.g. - kind: Service, name: web' }).max(32),
    rules: z.array(httpRule).max(16).default(() => [httpRule.parse({})]),
  }),
});

export type HTTPRouteResource = z.output<typeof httpRouteSchema>;
export type HTTPRouteRule = HTTPRouteResource['spec']['rules'][number];
export type HTTPRouteMatch = HTTPRouteRule['matches'][number];
export type BackendRef = z.output<typeof backendRef>;
