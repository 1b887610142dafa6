import { expect, test } from 'vitest';
import { paths, routeOf } from './router.js';

const at = (path: string) => routeOf(new URL(path, 'http://loom'));

test('every page has a URL, and deep links come back as the same page', () => {
  expect(at('/')).toEqual({ page: 'overview' });
  expect(at(paths.namespace('emojivoto'))).toEqual({ page: 'namespace', namespace: 'emojivoto' });
  expect(at(paths.workload('emojivoto', 'voting'))).toEqual({ page: 'workload', namespace: 'emojivoto', name: 'voting' });
  expect(at(paths.pod('emojivoto', 'voting-0'))).toEqual({ page: 'pod', namespace: 'emojivoto', name: 'voting-0' });
  expect(at(paths.graph('emojivoto'))).toEqual({ page: 'graph', namespace: 'emojivoto' });
  expect(at(paths.live('emojivoto', 'workload/web'))).toEqual({ page: 'live', namespace: 'emojivoto', resource: 'workload/web' });
});

test('anything else is not found, with the path it was', () => {
  expect(at('/namespaces/a/b')).toEqual({ page: 'not-found', path: '/namespaces/a/b' });
  expect(at('/nope')).toEqual({ page: 'not-found', path: '/nope' });
});

test("regression: no page's path is one of the controller's own (/live answered the traffic page once)", () => {
  const pagePaths = [paths.namespace('a'), paths.workload('a', 'b'), paths.pod('a', 'b'), paths.graph('a'), paths.live('a', 'workload/b'), paths.resources('a'), '/graph', '/traffic', '/resources'];
  for (const path of pagePaths) {
    const pathname = new URL(path, 'http://loom').pathname;
    expect(['/live', '/ready', '/metrics']).not.toContain(pathname);
    expect(pathname.startsWith('/api/')).toBe(false);
  }
});
