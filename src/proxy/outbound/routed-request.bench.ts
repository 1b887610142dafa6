// Micro-benchmark, not a test: node --import tsx src/proxy/outbound/routed-request.bench.ts
// What a routed request costs the client proxy before it is sent: the route match, the plan's route
// decision, the split's backend pick, the header record the matcher reads and the route timeout's
// deadline (a header and a timer). The 10 rules and routes
// are those of bench/routed (equal-length regexes with a method each, so list order is test order).
import { withHeader } from '../http/header-edit.js';
import type { ProxyRequest } from '../http/types.js';
import { DEADLINE_HEADER, readDeadline } from './deadline.js';
import { requestHead } from './routed-request.js';
import { parseResource, type HTTPRouteResource, type Resource, type ServiceProfileResource } from '../../resources/index.js';
import type { ClientPolicy } from '../../routing/client-policy.js';
import { compileHttpRoutes, pickBackend, type RequestHead } from '../../routing/route-match.js';
import { compilePolicy } from '../../routing/route-plan.js';

const NAME = 'upstream.bench.svc:80';
const METHODS = ['POST', 'PUT', 'DELETE', 'GET', 'POST', 'PATCH', 'GET', 'DELETE', 'PUT', 'POST'];
const pad = (i: number) => String(i).padStart(2, '0');
const regex = (i: number) => `/api/v${pad(i)}/items/[0-9]+`;

function parsed<K extends Resource['kind']>(doc: unknown, kind: K): Extract<Resource, { kind: K }> {
  const result = parseResource(doc);
  if (!result.ok || result.resource.kind !== kind) throw new Error(`bench resource does not validate: ${JSON.stringify(!result.ok && result.problems)}`);
  return result.resource as Extract<Resource, { kind: K }>;
}

const route: HTTPRouteResource = parsed({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'upstream-routes', namespace: 'bench' },
  spec: {
    parentRefs: [{ kind: 'Service', name: 'upstream', port: 80 }],
    rules: METHODS.map((method, n) => ({
      name: `route-${n + 1}`,
      matches: [{ path: { type: 'RegularExpression', value: regex(n + 1) }, method }],
      ...(n === 6
        ? {
            backendRefs: [{ name: 'upstream-a', port: 80, weight: 50 }, { name: 'upstream-b', port: 80, weight: 50 }],
            timeouts: { request: '10s' },
            loom: { retry: { attempts: 2 } },
          }
        : {}),
    })),
  },
}, 'HTTPRoute');

const profile: ServiceProfileResource = parsed({
  apiVersion: 'loom.io/v1alpha2',
  kind: 'ServiceProfile',
  metadata: { name: 'upstream.bench.svc.cluster.local', namespace: 'bench' },
  spec: {
    routes: METHODS.map((method, n) => ({
      name: `${method} /api/v${pad(n + 1)}/items/{id}`,
      condition: { method, pathRegex: regex(n + 1) },
      ...(n === 6 ? { isRetryable: true, timeout: '10s' } : {}),
    })),
  },
}, 'ServiceProfile');

const head = (method: string, path: string): RequestHead => ({ method, path, authority: NAME, headers: {} });
const first = head('POST', '/api/v01/items/42');
const seventh = head('GET', '/api/v07/items/42');
const last = head('POST', '/api/v10/items/42');
const miss = head('GET', '/api/v11/items/42');

// A wrk request as the client proxy receives it (HTTP/1.1), and an h2load gRPC call.
const h1Headers = ['host', NAME, 'user-agent', 'wrk', 'accept', '*/*', 'x-request-id', 'b3c1', 'x-b3-traceid', '463ac35c9f6413ad', 'x-b3-spanid', 'a2fb4a1d1a96d312', 'accept-encoding', 'gzip', 'x-forwarded-for', '10.0.0.1'];
const grpcHeaders = ['content-type', 'application/grpc', 'te', 'trailers', 'user-agent', 'h2load nghttp2/1.52.0', 'grpc-timeout', '10S', 'accept-encoding', 'gzip'];
const request = (method: string, path: string, headers: string[]): ProxyRequest => ({
  method, scheme: 'http', authority: NAME, path, headers, body: null, httpVersion: '1.1', clientAddr: '127.0.0.1:50000', clientId: '',
});
const h1Request = request('GET', '/api/v07/items/42', h1Headers);
const grpcRequest = request('POST', '/bench.v07.Echo/Say', grpcHeaders);

function bench(name: string, n: number, body: (i: number) => void): void {
  for (let i = 0; i < n / 10; i++) body(i); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) body(i);
  const ns = Number(process.hrtime.bigint() - start) / n;
  console.log(`${name.padEnd(44)} ${ns.toFixed(0).padStart(7)} ns/op`);
}

let sink = 0;
const matcher = compileHttpRoutes([route]);
bench('HTTPRoute match, 10 rules: hit 1st', 1_000_000, () => {
  sink += matcher.match(first)?.ruleIndex ?? -1;
});
bench('HTTPRoute match, 10 rules: hit 7th', 1_000_000, () => {
  sink += matcher.match(seventh)?.ruleIndex ?? -1;
});
bench('HTTPRoute match, 10 rules: hit 10th', 1_000_000, () => {
  sink += matcher.match(last)?.ruleIndex ?? -1;
});
bench('HTTPRoute match, 10 rules: miss', 1_000_000, () => {
  sink += matcher.match(miss)?.ruleIndex ?? -1;
});
bench('HTTPRoute match, hit 7th, with a query', 500_000, () => {
  sink += matcher.match(head('GET', '/api/v07/items/42?page=2&sort=asc'))?.ruleIndex ?? -1;
});

const byProfile = compilePolicy({ name: NAME, httpRoutes: [], grpcRoutes: [], profile } satisfies ClientPolicy);
bench('profile route(), 10 routes: hit 1st', 1_000_000, () => {
  sink += byProfile.route(first).kind.length;
});
bench('profile route(), 10 routes: hit 7th', 1_000_000, () => {
  sink += byProfile.route(seventh).kind.length;
});
bench('profile route(), 10 routes: miss (default)', 1_000_000, () => {
  sink += byProfile.route(miss).kind.length;
});

// bench/routed's B policy: the profile and the HTTPRoute together; the HTTPRoute routes.
const routed = compilePolicy({ name: NAME, httpRoutes: [route], grpcRoutes: [], profile } satisfies ClientPolicy);
bench('profile + HTTPRoute route(): hit 7th', 1_000_000, () => {
  sink += routed.route(seventh).kind.length;
});

const decision = routed.route(seventh);
if (decision.kind !== 'route' || decision.plan.backends.length !== 2) throw new Error('the 7th rule should split two ways');
const backends = decision.plan.backends;
const split = { backendRefs: backends };
bench('pickBackend, 2-way split', 5_000_000, () => {
  sink += pickBackend(split, Math.random)?.weight ?? 0;
});
bench('pickBackend, 2-way split, wrapped per call', 5_000_000, () => {
  sink += pickBackend({ backendRefs: backends }, Math.random)?.weight ?? 0;
});

bench('requestHead, HTTP/1.1 (8 headers)', 1_000_000, () => {
  sink += requestHead(h1Request).path.length;
});
bench('requestHead, gRPC (5 headers)', 1_000_000, () => {
  sink += requestHead(grpcRequest).path.length;
});
bench('requestHead + route() + pick (per request)', 1_000_000, () => {
  const d = routed.route(requestHead(h1Request));
  if (d.kind === 'route') sink += pickBackend({ backendRefs: d.plan.backends }, Math.random)?.weight ?? 0;
});
// The 7th route's 10 s timeout: the deadline read, its header added, its timer armed and cleared.
bench('route timeout: deadline + header + timer', 500_000, () => {
  const deadline = readDeadline(h1Headers, 10_000, Date.now());
  const headers = withHeader(h1Headers, DEADLINE_HEADER, String(deadline.at));
  clearTimeout(setTimeout(() => undefined, deadline.timeoutMs));
  sink += headers.length;
});
if (sink === 0) console.log(sink);
