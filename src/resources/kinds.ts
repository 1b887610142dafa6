// The resource kinds Loom reads, and parseResource: one document in, one typed resource or the list
// of everything wrong with it out.

import { closest, describeIssues, type FieldPath, type ResourceProblem } from './issues.js';
import { deploymentSchema, type DeploymentResource } from './deployment.js';
import { grpcRouteSchema, type GRPCRouteResource } from './grpc-route.js';
import { httpRouteSchema, type HTTPRouteResource } from './http-route.js';
import { namespaceSchema, type NamespaceResource } from './namespace.js';
import { serviceAccountSchema, type ServiceAccountResource } from './service-account.js';
import { serviceProfileSchema, type ServiceProfileResource } from './service-profile.js';
import { serviceSchema, type ServiceResource } from './service.js';

export type Resource =
  | NamespaceResource
  | ServiceAccountResource
  | ServiceResource
  | DeploymentResource
  | ServiceProfileResource
  | HTTPRouteResource
  | GRPCRouteResource;
export type ResourceKind = Resource['kind'];

export const RESOURCE_KINDS = [
  { apiVersion: 'v1', kind: 'Namespace', schema: namespaceSchema },
  { apiVersion: 'v1', kind: 'ServiceAccount', schema: serviceAccountSchema },
  { apiVersion: 'v1', kind: 'Service', schema: serviceSchema },
  { apiVersion: 'apps/v1', kind: 'Deployment', schema: deploymentSchema },
  { apiVersion: 'loom.io/v1alpha2', kind: 'ServiceProfile', schema: serviceProfileSchema },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', schema: httpRouteSchema },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', schema: grpcRouteSchema },
] as const;

const SUPPORTED = RESOURCE_KINDS.map(({ kind, apiVersion }) => `${kind} (${apiVersion})`).join(', ');

export type ParsedResource = { ok: true; resource: Resource } | { ok: false; problems: ResourceProblem[] };

/** Validates one document (already turned into plain data) against its kind, applying defaults. */
export function parseResource(document: unknown): ParsedResource {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return failed([], 'is not a map; write a resource with apiVersion, kind, metadata and spec');
  }
  const { kind, apiVersion } = document as { kind?: unknown; apiVersion?: unknown };
  if (kind === undefined) return failed(['kind'], `required field is missing; add kind: one of ${SUPPORTED}`);
  const entry = RESOURCE_KINDS.find((candidate) => candidate.kind === kind);
  if (entry === undefined) {
    const near = typeof kind === 'string' ? closest(kind, RESOURCE_KINDS.map((k) => k.kind)) : undefined;
    const hint = near === undefined ? '' : `did you mean ${near}? `;
    return failed(['kind'], `kind ${JSON.stringify(kind)} is not supported; ${hint}use one of: ${SUPPORTED}`);
  }

  const problems: ResourceProblem[] = [];
  if (apiVersion !== entry.apiVersion) {
    const wrong = apiVersion === undefined ? 'required field is missing' : `${entry.kind} is ${entry.apiVersion}, not ${JSON.stringify(apiVersion)}`;
    problems.push({ path: ['apiVersion'], at: 'value', message: `${wrong}; write apiVersion: ${entry.apiVersion}` });
  }
  // zod drops a `__proto__` key from a record without a word; YAML keeps it as an own property.
  for (const path of protoKeys(document, [])) {
    problems.push({ path, at: 'key', message: '"__proto__" is not allowed as a key; remove it' });
  }
  // With the apiVersion set right, the rest of the document is still checked: all problems at once.
  const result = entry.schema.safeParse({ ...document, apiVersion: entry.apiVersion }, { reportInput: true });
  if (!result.success) problems.push(...describeIssues(result.error.issues));
  if (problems.length > 0 || !result.success) return { ok: false, problems };
  return { ok: true, resource: result.data as Resource };
}

function protoKeys(value: unknown, path: FieldPath): FieldPath[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const childPath = [...path, Array.isArray(value) ? Number(key) : key];
    return key === '__proto__' ? [childPath] : protoKeys(child, childPath);
  });
}

function failed(path: FieldPath, message: string): ParsedResource {
  return { ok: false, problems: [{ path, at: 'value', message }] };
}
