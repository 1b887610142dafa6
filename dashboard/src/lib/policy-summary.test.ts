import { describe, expect, test } from 'vitest';
import { parseResource, type GRPCRouteResource, type HTTPRouteResource, type ServiceProfileResource } from '../../../src/resources/index.js';
import { backendShares, describeCondition, observedShares, summarizeProfile, summarizeRoutes } from './policy-summary.js';

function parsed<R>(doc: unknown): R {
  const r = parseResource(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.resource as R;
}

const canary = parsed<HTTPRouteResource>({
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'world-canary', namespace: 'hello' },
  spec: {
    parentRefs: [{ kind: 'Service', name: 'world', port: 80 }],
    rules: [
      { matches: [{ method: 'GET', path: { type: 'PathPrefix', value: '/api/' }, headers: [{ name: 'X-Canary', value: '1' }], queryParams: [{ type: 'RegularExpression', name: 'v', value: '^2' }] }], backendRefs: [{ name: 'world-v2', port: 80 }] },
      {
        backendRefs: [{ name: 'world', port: 80, weight: 70 }, { name: 'world-v2', port: 80, weight: 30 }],
        timeouts: { request: '2s', backendRequest: '500ms' },
        loom: { retry: { attempts: 2, codes: [503] }, fault: { abort: { status: 503, percent: 5 } } },
        filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-route', value: 'canary' }] } }],
      },
    ],
  },
});

const grpc = parsed<GRPCRouteResource>({
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name: 'emoji', namespace: 'emojivoto' },
  spec: { parentRefs: [{ kind: 'Service', name: 'emoji-svc', port: 8080 }], rules: [{ matches: [{ method: { service: 'emojivoto.v1.EmojiService', method: 'ListAll' } }] }, {}] },
});

describe('policy summary', () => {
  test('route rules read as matches, weighted backends and settings', () => {
    const rules = summarizeRoutes('world.hello.svc:80', [canary], []);
    expect(rules.map((r) => r.matches)).toEqual([['GET /api/* x-canary=1 ?v=~^2'], ['/*']]);
    expect(rules[0]?.backends).toEqual([{ service: 'world-v2.hello.svc:80', name: 'world-v2', namespace: 'hello', weight: 1, percent: 100 }]);
    expect(rules[1]?.backends.map((b) => [b.name, b.percent])).toEqual([['world', 70], ['world-v2', 30]]);
    expect(rules[1]?.settings).toEqual(['timeout 2s', 'per-try timeout 500ms', 'retry ×2 on 503', 'fault: abort 5% with 503', 'edits request headers']);
  });
  test('a gRPC rule names its method, and no matches means every call; no backends means the parent service', () => {
    const rules = summarizeRoutes('emoji-svc.emojivoto.svc:8080', [], [grpc]);
    expect(rules.map((r) => r.matches)).toEqual([['emojivoto.v1.EmojiService/ListAll'], ['*/*']]);
    expect(rules[0]?.backends).toEqual([{ service: 'emoji-svc.emojivoto.svc:8080', name: 'emoji-svc', namespace: 'emojivoto', weight: 1, percent: 100 }]);
  });
  test('weights of zero send nothing', () => {
    expect(backendShares([{ name: 'a', port: 80, weight: 0 }], 'ns', 'p.ns.svc:80').map((b) => b.percent)).toEqual([0]);
  });
  test('observed shares come from the backends\' live request rates', () => {
    const backends = summarizeRoutes('world.hello.svc:80', [canary], [])[1]?.backends ?? [];
    expect(observedShares(backends, new Map([['hello/world', 9], ['hello/world-v2', 3]]))).toEqual([75, 25]);
    expect(observedShares(backends, new Map())).toEqual([undefined, undefined]);
  });
  test('a profile lists its routes and its retry budget', () => {
    const profile = parsed<ServiceProfileResource>({
      apiVersion: 'loom.io/v1alpha2', kind: 'ServiceProfile', metadata: { name: 'books.bookinfo.svc.cluster.local', namespace: 'bookinfo' },
      spec: { routes: [{ name: 'GET /books/{id}', condition: { all: [{ method: 'GET' }, { pathRegex: '/books/\\d+' }] }, isRetryable: true, timeout: '300ms' }], retryBudget: { retryRatio: 0.5, minRetriesPerSecond: 5, ttl: '20s' } },
    });
    expect(summarizeProfile(profile)).toEqual({
      routes: [{ name: 'GET /books/{id}', condition: 'all(GET, ~/books/\\d+)', retryable: true, timeout: '300ms' }],
      retryBudget: 'retries add ≤ 50%, at least 5/s, over 20s',
    });
    expect(describeCondition({ any: [{ method: 'GET' }, { method: 'HEAD' }], not: { pathRegex: '/admin' } })).toBe('any(GET, HEAD) not(~/admin)');
  });
});
