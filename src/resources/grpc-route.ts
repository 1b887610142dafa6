// GRPCRoute (gateway.networking.k8s.io/v1) as a mesh uses it: rules match a gRPC call by its
// `/package.Service/Method` path and its headers, and split it across weighted backendRefs of the
// Service named in parentRefs.

import { z } from 'zod';
import { dnsLabel, dnsSubdomain, namespaceField, strictObject } from './fields.js';
import { backendRef, filtersOnce, headerFilters, headerMatch, parentRef, uniqueNames, unknownFilter, validRegex } from './http-route.js';

// From Gateway API's GRPCMethodMatch validation (exact service and method names).
const SERVICE_NAME = /^(?:\.?[A-Za-z_][A-Za-z_0-9]*)(?:\.[A-Za-z_][A-Za-z_0-9]*)*$/;
const METHOD_NAME = /^[A-Za-z_][A-Za-z_0-9]*$/;

const methodMatch = strictObject({
  type: z.enum(['Exact', 'RegularExpression']).default('Exact'),
  service: z.string().optional(),
  method: z.string().optional(),
}).superRefine((match, ctx) => {
  if (match.service === undefined && match.method === undefined) {
    ctx.addIssue({ code: 'custom', path: [], message: 'names neither a service nor a method; add service: <package.Service>, method: <Method> or both' });
  }
  const check = (field: 'service' | 'method', pattern: RegExp, example: string) => {
    const value = match[field];
    if (value === undefined) return;
    if (match.type === 'RegularExpression' && !validRegex(value)) {
      ctx.addIssue({ code: 'custom', path: [field], message: `${JSON.stringify(value)} is not a valid regular expression; check its brackets, parentheses and escapes` });
    } else if (match.type === 'Exact' && !pattern.test(value)) {
      ctx.addIssue({ code: 'custom', path: [field], message: `${JSON.stringify(value)} is not a gRPC ${field} name; write e.g. ${example}, or set type: RegularExpression` });
    }
  };
  check('service', SERVICE_NAME, 'emojivoto.v1.EmojiService');
  check('method', METHOD_NAME, 'ListAll');
});

const grpcMatch = strictObject({
  method: methodMatch.optional(),
  headers: z.array(headerMatch).max(16).superRefine(uniqueNames('header', (n) => n.toLowerCase())).default([]),
});

const grpcFilter = z.discriminatedUnion('type', [...headerFilters], {
  error: unknownFilter(['RequestHeaderModifier', 'ResponseHeaderModifier']),
});

const grpcRule = strictObject({
  name: dnsLabel.optional(),
  // "If no matches are specified, the implementation MUST match every gRPC request" (GRPCRouteRule.matches).
  matches: z.array(grpcMatch).max(64).default([]),
  filters: z.array(grpcFilter).max(16).superRefine(filtersOnce).default([]),
  backendRefs: z.array(backendRef).max(16).default([]),
});

export const grpcRouteSchema = strictObject({
  apiVersion: z.literal('gateway.networking.k8s.io/v1'),
  kind: z.literal('GRPCRoute'),
  metadata: strictObject({ name: dnsSubdomain, namespace: namespaceField }),
  spec: strictObject({
    parentRefs: z.array(parentRef).min(1, { error: 'is empty; add the Service this route applies to, e.g. - kind: Service, name: web' }).max(32),
    rules: z.array(grpcRule).max(16).default(() => [grpcRule.parse({})]),
  }),
});

export type GRPCRouteResource = z.output<typeof grpcRouteSchema>;
export type GRPCRouteRule = GRPCRouteResource['spec']['rules'][number];
export type GRPCRouteMatch = GRPCRouteRule['matches'][number];
