// The client policy of one logical name: everything that decides how a caller's proxy sends a request
// addressed to it. The control plane gathers it from stored resources; the proxy receives it as JSON
// and validates it again with the same schemas, so a control plane bug cannot feed it a shape it
// does not expect.
import { parseResource, type GRPCRouteResource, type HTTPRouteResource, type Resource, type ServiceProfileResource } from '../resources/index.js';
import { parseServiceName, type ServiceName } from './service-name.js';

export interface PolicyDtab {
  /** The dtab namespace (namerd's term), e.g. `default`. */
  readonly namespace: string;
  readonly text: string;
  readonly version: string;
}

export interface ClientPolicy {
  /** The logical name, host:port. */
  readonly name: string;
  /** Routes whose parentRefs name this service (and port), oldest first. */
  readonly httpRoutes: readonly HTTPRouteResource[];
  readonly grpcRoutes: readonly GRPCRouteResource[];
  readonly profile?: ServiceProfileResource;
  readonly dtab?: PolicyDtab;
}

/** The resources a control plane holds that can shape client policies. */
export interface PolicySources {
  readonly httpRoutes: readonly HTTPRouteResource[];
  readonly grpcRoutes: readonly GRPCRouteResource[];
  readonly profiles: readonly ServiceProfileResource[];
}

/** The policy for `name` (host:port); a name outside the mesh's `<svc>.<ns>.svc` form gets only the dtab. */
export function clientPolicyFor(name: string, sources: PolicySources, dtab: PolicyDtab | undefined): ClientPolicy {
  const service = parseServiceName(name);
  const attached = <R extends HTTPRouteResource | GRPCRouteResource>(route: R): boolean =>
    service !== undefined && route.spec.parentRefs.some((ref) => parentIs(ref, route.metadata.namespace, service));
  const profile = service && sources.profiles.find((p) => p.metadata.name === `${service.service}.${service.namespace}.svc.cluster.local`);
  return {
    name,
    httpRoutes: sources.httpRoutes.filter(attached),
    grpcRoutes: sources.grpcRoutes.filter(attached),
    ...(profile ? { profile } : {}),
    ...(dtab ? { dtab } : {}),
  };
}

function parentIs(ref: { name: string; namespace?: string | undefined; port?: number | undefined }, routeNamespace: string, service: ServiceName): boolean {
  return ref.name === service.service && (ref.namespace ?? routeNamespace) === service.namespace && (ref.port === undefined || ref.port === service.port);
}

/** Whether the policy changes anything: without routes, a profile or a dtab the proxy takes its fast path. */
export function isEmptyPolicy(policy: ClientPolicy): boolean {
  return policy.httpRoutes.length === 0 && policy.grpcRoutes.length === 0 && policy.profile === undefined && policy.dtab === undefined;
}

export type ParsedPolicy = { ok: true; policy: ClientPolicy; problems: string[] } | { ok: false; problem: string };

/**
 * Reads a policy sent as JSON. Resources that fail validation are dropped and named in `problems`,
 * so one bad route does not take the others down.
 */
export function parseClientPolicy(json: string): ParsedPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    return { ok: false, problem: `the client policy is not JSON: ${(err as Error).message}` };
  }
  if (typeof raw !== 'object' || raw === null || typeof (raw as { name?: unknown }).name !== 'string') {
    return { ok: false, problem: 'the client policy is not an object with a name' };
  }
  const r = raw as Record<string, unknown>;
  const problems: string[] = [];
  const valid = (list: unknown, kind: Resource['kind']): Resource[] =>
    (Array.isArray(list) ? list : []).flatMap((doc: unknown) => {
      const parsed = parseResource(doc);
      if (parsed.ok && parsed.resource.kind === kind) return [parsed.resource];
      const first = parsed.ok ? `is a ${parsed.resource.kind}` : `${parsed.problems[0]?.path.join('.') ?? ''}: ${parsed.problems[0]?.message ?? ''}`;
      problems.push(`${kind} ${describe(doc)} dropped: ${first}`);
      return [];
    });
  const profile = r['profile'] === undefined ? [] : valid([r['profile']], 'ServiceProfile');
  const dtab = parseDtabField(r['dtab']);
  if (r['dtab'] !== undefined && dtab === undefined) problems.push('dtab dropped: it needs namespace, text and version strings');
  return {
    ok: true,
    problems,
    policy: {
      name: r['name'] as string,
      httpRoutes: valid(r['httpRoutes'], 'HTTPRoute') as HTTPRouteResource[],
      grpcRoutes: valid(r['grpcRoutes'], 'GRPCRoute') as GRPCRouteResource[],
      ...(profile[0] ? { profile: profile[0] as ServiceProfileResource } : {}),
      ...(dtab ? { dtab } : {}),
    },
  };
}

function parseDtabField(value: unknown): PolicyDtab | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { namespace, text, version } = value as Record<string, unknown>;
  return typeof namespace === 'string' && typeof text === 'string' && typeof version === 'string' ? { namespace, text, version } : undefined;
}

function describe(doc: unknown): string {
  const meta = (doc as { metadata?: { namespace?: unknown; name?: unknown } } | null)?.metadata;
  return meta ? `${String(meta.namespace)}/${String(meta.name)}` : '(unnamed)';
}
