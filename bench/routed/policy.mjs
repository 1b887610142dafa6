// The client policies of the routed benchmark, as the resources a controller stores, and what each
// must make the client proxy do (the `rt_route` it counts, the backends it sends to).
//
// Ten routes whose conditions are a path regex and a method; the load's request matches the 7th.
// The regexes are all the same length, so an HTTPRoute's precedence (longer regex first) keeps list
// order and the 7th rule is the 7th candidate tested, as the 7th profile route is.
export const NAMESPACE = 'bench';
export const SERVICE_NAME = 'upstream';
export const BACKENDS = ['upstream-a', 'upstream-b'];
export const ROUTE_COUNT = 10;
export const HIT = 7;

const pad = (i) => String(i).padStart(2, '0');
const DECOY_METHODS = ['POST', 'PUT', 'DELETE', 'GET', 'POST', 'PATCH', 'GET', 'DELETE', 'PUT', 'POST'];

/** What each protocol sends: one request the 7th route matches. */
export const LOADS = {
  http: { method: 'GET', path: `/api/v${pad(HIT)}/items/42`, regex: (i) => `/api/v${pad(i)}/items/[0-9]+` },
  grpc: { method: 'POST', path: `/bench.v${pad(HIT)}.Echo/Say`, regex: (i) => `/bench[.]v${pad(i)}[.]Echo/[A-Za-z]+` },
};

function routes(load) {
  return DECOY_METHODS.map((decoy, n) => ({ index: n + 1, method: n + 1 === HIT ? load.method : decoy, regex: load.regex(n + 1) }));
}

const profileRouteName = (r) => `${r.method} route ${pad(r.index)}`;

/** A ServiceProfile for upstream.bench.svc: 10 routes, the 7th retryable (default budget) with a 10 s timeout. */
export function serviceProfile(load) {
  return {
    apiVersion: 'loom.io/v1alpha2',
    kind: 'ServiceProfile',
    metadata: { name: `${SERVICE_NAME}.${NAMESPACE}.svc.cluster.local`, namespace: NAMESPACE },
    spec: {
      routes: routes(load).map((r) => ({
        name: profileRouteName(r),
        condition: { method: r.method, pathRegex: r.regex },
        ...(r.index === HIT ? { isRetryable: true, timeout: '10s' } : {}),
      })),
    },
  };
}

/**
 * An HTTPRoute on upstream:80 with the same 10 conditions; the 7th rule splits 50/50 between two
 * services and, unless `bare`, retries (Loom's `loom.retry`, under the default budget) and times out after 10 s.
 */
export function httpRoute(load, { bare = false } = {}) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: `${SERVICE_NAME}-routes`, namespace: NAMESPACE },
    spec: {
      parentRefs: [{ kind: 'Service', name: SERVICE_NAME, port: 80 }],
      rules: routes(load).map((r) => ({
        name: `route-${r.index}`,
        matches: [{ path: { type: 'RegularExpression', value: r.regex }, method: r.method }],
        ...(r.index === HIT
          ? {
              backendRefs: BACKENDS.map((name) => ({ name, port: 80, weight: 50 })),
              ...(bare ? {} : { timeouts: { request: '10s' }, loom: { retry: { attempts: 2 } } }),
            }
          : {}),
      })),
    },
  };
}

const authority = (name) => `${name}.${NAMESPACE}.svc:80`;
export const LOGICAL = authority(SERVICE_NAME);

/**
 * The variants of the A/B. `expect` is what the client proxy's /metrics must show for every request:
 * the `rt_route` of route_request_total (null: the fast path, no route metrics at all) and the
 * authorities the responses came through.
 */
export const VARIANTS = {
  // The same mesh with no policy: the fast path.
  plain: { resources: () => [], expect: () => ({ route: null, authorities: [LOGICAL] }) },
  // The B: the profile and the split together. Loom routes a service with HTTPRoutes by them
  // (src/routing/route-plan.ts), so the profile contributes its retry budget and the HTTPRoute's 7th rule routes.
  routed: {
    resources: (load) => [serviceProfile(load), httpRoute(load)],
    expect: () => ({ route: `${SERVICE_NAME}-routes.route-${HIT}`, authorities: BACKENDS.map(authority) }),
  },
  // The profile alone: its 10 routes are matched, the 7th's retry and timeout apply; no split.
  profile: {
    resources: (load) => [serviceProfile(load)],
    expect: (load) => ({ route: profileRouteName(routes(load)[HIT - 1]), authorities: [LOGICAL] }),
  },
  // Not run by default, to tell costs apart: the HTTPRoute's matching and split without retry or timeout.
  split: {
    resources: (load) => [httpRoute(load, { bare: true })],
    expect: () => ({ route: `${SERVICE_NAME}-routes.route-${HIT}`, authorities: BACKENDS.map(authority) }),
  },
};

/** Every name the mesh's endpoint table needs: the service and the split's backends, all on the same pool. */
export const SERVICE_NAMES = [LOGICAL, ...BACKENDS.map(authority)];
