import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResource, proxyEnvFromAnnotations } from './index.js';

const ACCESS_LOG = 'config.loom.io/access-log';

test('the pod template annotation wins over the Namespace default; unset annotations set nothing', () => {
  assert.deepEqual(proxyEnvFromAnnotations({ [ACCESS_LOG]: 'json' }, { [ACCESS_LOG]: 'apache' }), { LOOM_PROXY_ACCESS_LOG: 'json' });
  assert.deepEqual(proxyEnvFromAnnotations({}, { [ACCESS_LOG]: 'apache' }), { LOOM_PROXY_ACCESS_LOG: 'apache' });
  assert.deepEqual(proxyEnvFromAnnotations({ 'example.com/owner': 'me' }, undefined), {});
});

test('a Namespace keeps its annotations; a bad access-log value names the formats', () => {
  const namespace = (annotations: Record<string, string>) => parseResource({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations } });
  const ok = namespace({ [ACCESS_LOG]: 'apache', 'example.com/anything': 'goes' });
  assert.ok(ok.ok && ok.resource.kind === 'Namespace');
  assert.deepEqual(ok.resource.metadata.annotations, { [ACCESS_LOG]: 'apache', 'example.com/anything': 'goes' });
  assert.deepEqual(namespace({ [ACCESS_LOG]: 'xml' }), {
    ok: false,
    problems: [{ path: ['metadata', 'annotations', ACCESS_LOG], at: 'value', message: '"xml" is not an access log format; use apache, json or off' }],
  });
});
