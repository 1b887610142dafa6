// parseTapQuery: /api/tap's query string, with defaults and a message naming what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTapQuery } from './tap-query.js';

const parse = (query: string) => parseTapQuery(new URLSearchParams(query));

test('defaults: kind workload, max_rps 100, no --to and no request filters', () => {
  assert.deepEqual(parse('namespace=shop&name=web'), { namespace: 'shop', kind: 'workload', name: 'web', maxRps: 100 });
});

test('a namespace tap needs no name and drops one given', () => {
  assert.deepEqual(parse('namespace=shop&kind=namespace&name=ignored'), { namespace: 'shop', kind: 'namespace', name: '', maxRps: 100 });
});

test('namespace is required, a workload or pod needs a name, and the kind must be known', () => {
  assert.deepEqual(parse('name=web'), { error: 'namespace is required' });
  assert.deepEqual(parse('namespace=shop&kind=pod'), { error: 'a pod tap needs a name' });
  assert.deepEqual(parse('namespace=shop&name='), { error: 'a workload tap needs a name' });
  assert.deepEqual(parse('namespace=shop&kind=svc&name=web'), { error: 'kind "svc" is not one of namespace, workload, pod' });
});

test('--to defaults to the target\'s namespace and is checked like the target', () => {
  const to = (query: string) => {
    const q = parse(query);
    return 'error' in q ? q : q.to;
  };
  assert.deepEqual(to('namespace=shop&name=web&to_kind=workload&to_name=world'), { namespace: 'shop', kind: 'workload', name: 'world' });
  assert.deepEqual(to('namespace=shop&name=web&to_kind=pod&to_name=db-0&to_namespace=data'), { namespace: 'data', kind: 'pod', name: 'db-0' });
  assert.deepEqual(to('namespace=shop&name=web&to_kind=namespace'), { namespace: 'shop', kind: 'namespace', name: '' });
  assert.deepEqual(parse('namespace=shop&name=web&to_kind=svc&to_name=x'), { error: 'to_kind "svc" is not one of namespace, workload, pod' });
  assert.deepEqual(parse('namespace=shop&name=web&to_kind=pod'), { error: '--to pod needs a name' });
});

test('method, path and authority are kept when not empty', () => {
  const q = parse('namespace=shop&name=web&method=POST&path=/api&authority=');
  assert.ok(!('error' in q));
  assert.deepEqual([q.method, q.path, 'authority' in q], ['POST', '/api', false]);
});

test('max_rps: from 1 up to 10000; the error names the bad value', () => {
  for (const bad of ['0', '-1', 'abc', '20000', '']) {
    const q = parse(`namespace=shop&name=web&max_rps=${bad}`);
    assert.ok('error' in q, bad);
    assert.match(q.error, new RegExp(`^max_rps "${bad}" must be a number`), bad);
  }
  const q = parse('namespace=shop&name=web&max_rps=10000');
  assert.ok(!('error' in q));
  assert.equal(q.maxRps, 10_000);
});
