// A control plane (Destination API with endpoint and policy indexes) and one real proxy that
// discovers through it, all in this process on loopback: what the traffic tests route through.
import { parse } from 'yaml';
import { GrpcApiServer } from '../../src/control/destination/server.js';
import { EndpointIndex } from '../../src/control/index/endpoint-index.js';
import { PolicyIndex } from '../../src/control/index/policy-index.js';
import { parseResource, type GRPCRouteResource, type HTTPRouteResource, type Resource, type ServiceProfileResource } from '../../src/resources/index.js';
import { DestinationDiscovery } from '../../src/proxy/discovery/destination-client.js';
import { loadProxyConfig } from '../../src/proxy/env.js';
import { createLogger } from '../../src/proxy/log.js';
import { Proxy } from '../../src/proxy/proxy.js';

export interface PolicyMesh {
  /** host:port of the proxy's outbound listener. */
  outbound: string;
  endpoints: EndpointIndex;
  policies: PolicyIndex;
  /** Points `name` (host:port) at plain HTTP servers. */
  serve(name: string, addrs: string[]): void;
  /** Replaces every route and profile with the resources in these YAML documents. */
  apply(...documents: string[]): void;
  setDtab(text: string, version?: string): void;
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export async function startPolicyMesh(env: Record<string, string> = {}): Promise<PolicyMesh> {
  const endpoints = new EndpointIndex();
  const policies = new PolicyIndex();
  const server = new GrpcApiServer(endpoints, undefined, policies);
  const { port } = await server.listen('127.0.0.1', 0);
  const config = loadProxyConfig({
    LOOM_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
    LOOM_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
    LOOM_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
    LOOM_PROXY_LOG_LEVEL: 'silent',
    LOOM_PROXY_QUEUE_TIMEOUT: '500ms',
    LOOM_PROXY_SHUTDOWN_GRACE_PERIOD: '1s',
    ...env,
  });
  const discovery = new DestinationDiscovery({ addr: `127.0.0.1:${port}`, contextToken: 'test', minBackoffMs: 50, maxBackoffMs: 200 });
  const proxy = await Proxy.create(config, createLogger({ level: 'silent' }), discovery);
  const addrs = await proxy.start();
  let dtabVersion = 0;
  return {
    outbound: `127.0.0.1:${addrs.outbound.port}`,
    endpoints,
    policies,
    serve(name, list) {
      endpoints.setEndpoints(
        name,
        list.map((addr) => {
          const colon = addr.lastIndexOf(':');
          return { addr, host: addr.slice(0, colon), port: Number(addr.slice(colon + 1)), weight: 1, meshed: false, labels: {} };
        }),
      );
    },
    apply(...documents) {
      const resources = documents.map((text) => {
        const parsed = parseResource(parse(text));
        if (!parsed.ok) throw new Error(`test resource does not validate: ${JSON.stringify(parsed.problems)}`);
        return parsed.resource;
      });
      const of = <K extends Resource['kind']>(kind: K) => resources.filter((r): r is Extract<Resource, { kind: K }> => r.kind === kind);
      policies.replaceResources({
        httpRoutes: of('HTTPRoute') as HTTPRouteResource[],
        grpcRoutes: of('GRPCRoute') as GRPCRouteResource[],
        profiles: of('ServiceProfile') as ServiceProfileResource[],
      });
    },
    setDtab(text, version = String(++dtabVersion)) {
      policies.setDtab('default', { namespace: 'default', text, version });
    },
    metrics: async () => (await fetch(`http://127.0.0.1:${addrs.admin.port}/metrics`)).text(),
    close: async () => {
      await proxy.shutdown();
      await server.close();
    },
  };
}
