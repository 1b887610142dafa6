// GET /api/services on the controller's admin port: every service the mesh knows, with its endpoints
// and the client policy in force for it (HTTPRoutes and GRPCRoutes with their weighted backends, the
// ServiceProfile), plus the route resources that attach to no existing service. The dashboard's
// resources page shows a canary from this; the dtabs come from the dtab API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GRPCRouteResource, HTTPRouteResource, ServiceProfileResource } from '../resources/index.js';
import { clientPolicyFor } from '../routing/client-policy.js';
import { parseServiceName } from '../routing/service-name.js';
import type { EndpointIndex } from './index/endpoint-index.js';
import type { PolicyIndex } from './index/policy-index.js';
import { replyJson } from './json-reply.js';
import { streamAnswers, wantsEventStream } from './web/live.js';

export const SERVICES_API_PATH = '/api/services';

export interface ServicePolicy {
  /** The logical name proxies ask for: `<service>.<namespace>.svc:<port>`. */
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  readonly endpoints: number;
  /** Endpoints behind a Loom proxy (reached over mTLS). */
  readonly meshedEndpoints: number;
  readonly httpRoutes: readonly HTTPRouteResource[];
  readonly grpcRoutes: readonly GRPCRouteResource[];
  readonly profile?: ServiceProfileResource;
}

/** A route or profile that names a service the mesh does not have: it steers nothing. */
export interface UnattachedResource {
  readonly kind: 'HTTPRoute' | 'GRPCRoute' | 'ServiceProfile';
  readonly namespace: string;
  readonly name: string;
  /** What it names, e.g. `world.hello.svc` or `world.hello.svc:8080`. */
  readonly names: string;
}

export interface ServicesAnswer {
  readonly services: ServicePolicy[];
  readonly unattached: UnattachedResource[];
}

export class ServicesApi {
  constructor(
    private readonly policies: PolicyIndex,
    private readonly index: EndpointIndex,
    /** How often a live (event-stream) answer is sent again. */
    private readonly liveEveryMs: number,
  ) {}

  /** Answers /api/services[?namespace=], as JSON or a live event stream; false when the path is not this API's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://controller');
    if (url.pathname.replace(/\/+$/, '') !== SERVICES_API_PATH) return false;
    if (req.method !== 'GET') {
      replyJson(res, 405, { error: 'method not allowed here; use GET' }, { allow: 'GET' });
      return true;
    }
    const answer = (): ServicesAnswer => this.answer(url.searchParams.get('namespace') ?? undefined);
    if (wantsEventStream(req)) streamAnswers(req, res, () => Promise.resolve({ status: 200, body: answer() }), this.liveEveryMs);
    else replyJson(res, 200, answer());
    return true;
  }

  answer(namespace: string | undefined): ServicesAnswer {
    const sources = this.policies.sourcesInForce;
    const all: ServicePolicy[] = [];
    for (const name of this.index.serviceNames().sort()) {
      const parsed = parseServiceName(name);
      if (!parsed) continue;
      const endpoints = this.index.endpoints(name);
      const policy = clientPolicyFor(name, sources, undefined);
      all.push({
        name,
        ...parsed,
        endpoints: endpoints.length,
        meshedEndpoints: endpoints.filter((e) => e.meshed).length,
        httpRoutes: policy.httpRoutes,
        grpcRoutes: policy.grpcRoutes,
        ...(policy.profile ? { profile: policy.profile } : {}),
      });
    }
    // Attached anywhere counts: a route in one namespace may steer a service of another.
    const attached = new Set(all.flatMap((s) => [...s.httpRoutes, ...s.grpcRoutes, ...(s.profile ? [s.profile] : [])]));
    const services = all.filter((s) => namespace === undefined || s.namespace === namespace);
    const inNamespace = (r: { metadata: { namespace: string } }): boolean => namespace === undefined || r.metadata.namespace === namespace;
    const unattached: UnattachedResource[] = [];
    for (const route of [...sources.httpRoutes, ...sources.grpcRoutes]) {
      if (attached.has(route) || !inNamespace(route)) continue;
      const names = route.spec.parentRefs.map((p) => `${p.name}.${p.namespace ?? route.metadata.namespace}.svc${p.port === undefined ? '' : `:${p.port}`}`);
      unattached.push({ kind: route.kind, namespace: route.metadata.namespace, name: route.metadata.name, names: names.join(', ') });
    }
    for (const profile of sources.profiles) {
      if (attached.has(profile) || !inNamespace(profile)) continue;
      unattached.push({ kind: 'ServiceProfile', namespace: profile.metadata.namespace, name: profile.metadata.name, names: profile.metadata.name });
    }
    return { services, unattached };
  }
}
