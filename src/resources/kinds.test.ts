import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { matchesSelector, parseResource } from './index.js';
import { problems } from './parse.test-helper.js';


const deployment = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', command: ['node', 'web.js'] }] } },
    ...spec,
  },
});

test('defaults are applied: namespace, replicas, serviceAccountName, container lists', () => {
  const result = parseResource(deployment());
  assert.ok(result.ok && result.resource.kind === 'Deployment');
  const { metadata, spec } = result.resource;
  assert.equal(metadata.namespace, 'default');
  assert.equal(spec.replicas, 1);
  assert.equal(spec.template.spec.serviceAccountName, 'default');
  assert.deepEqual(spec.template.spec.containers[0], { name: 'web', command: ['node', 'web.js'], args: [], env: [], ports: [] });
});

test('a wrong apiVersion is reported together with the rest of the document', () => {
  assert.deepEqual(problems({ ...deployment({ replicas: -2 }), apiVersion: 'apps/v1beta2' }), [
    { path: ['apiVersion'], at: 'value', message: 'Deployment is apps/v1, not "apps/v1beta2"; write apiVersion: apps/v1' },
    { path: ['spec', 'replicas'], at: 'value', message: '-2 is not a replica count; use a whole number, 0 or more' },
  ]);
});

test('unknown fields are reported one by one at their key, with the allowed fields', () => {
  assert.deepEqual(problems({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', nmae: 'x', uid: 'y' } }), [
    { path: ['metadata', 'nmae'], at: 'key', message: 'unknown field "nmae"; did you mean "name"? remove it or use one of: name, namespace' },
    { path: ['metadata', 'uid'], at: 'key', message: 'unknown field "uid"; remove it or use one of: name, namespace' },
  ]);
});

test('a __proto__ key is an error, not a label that silently disappears', () => {
  const labels: unknown = JSON.parse('{"__proto__": "x", "app.kubernetes.io/name": "web"}');
  assert.deepEqual(problems({ ...deployment(), metadata: { name: 'web', labels } }), [
    { path: ['metadata', 'labels', '__proto__'], at: 'key', message: '"__proto__" is not allowed as a key; remove it' },
  ]);
});

test('label keys and values are checked', () => {
  assert.deepEqual(problems({ ...deployment(), metadata: { name: 'web', labels: { 'bad key': 'x', app: 'a b' } } }), [
    {
      path: ['metadata', 'labels', 'bad key'],
      at: 'key',
      message: '"bad key" is not a valid label key; use an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" and "."',
    },
    {
      path: ['metadata', 'labels', 'app'],
      at: 'value',
      message: '"a b" is not a valid label value; use at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
    },
  ]);
});

test('an unsupported kind suggests the nearest supported one', () => {
  assert.deepEqual(problems({ apiVersion: 'v1', kind: 'Servcie' }), [
    {
      path: ['kind'],
      at: 'value',
      message: 'kind "Servcie" is not supported; did you mean Service? use one of: Namespace (v1), ServiceAccount (v1), Service (v1), Deployment (apps/v1), ServiceProfile (loom.io/v1alpha2), HTTPRoute (gateway.networking.k8s.io/v1), GRPCRoute (gateway.networking.k8s.io/v1)',
    },
  ]);
});

test('selectors match labels that carry every entry; an empty selector matches nothing', () => {
  assert.equal(matchesSelector({ app: 'web' }, { app: 'web', version: 'v2' }), true);
  assert.equal(matchesSelector({ app: 'web', version: 'v1' }, { app: 'web', version: 'v2' }), false);
  assert.equal(matchesSelector({}, { app: 'web' }), false);
  assert.equal(matchesSelector({ toString: 'x' }, {}), false);
});

test('resources import nothing from proxy, control or platform', () => {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
    const source = readFileSync(new URL(name, import.meta.url), 'utf8');
    for (const [, from = ''] of source.matchAll(/from '([^']+)'/g)) {
      assert.ok(from.startsWith('./') || from === 'zod' || from.startsWith('node:'), `${name} imports ${from}`);
    }
  }
});
