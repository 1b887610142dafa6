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
