// MemoryDtabStore: versions, compare-and-set, create/delete errors, namespace names and watchers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDtab } from '../../routing/dtab/index.js';
import { DtabExistsError, DtabNotFoundError, DtabStaleVersionError, InvalidNamespaceError, MemoryDtabStore, type DtabEntry } from './dtab-store.js';

const A = readDtab('/svc => /#/loom.svc/default/8080;');
const B = readDtab('/svc => /$/inet/127.0.0.1/9000 | /#/loom.svc/default/8080');

test('create, get, update and list; every write makes a new version and the text is the printed dtab', () => {
  const store = new MemoryDtabStore();
  const created = store.create('default', A);
  assert.equal(created.text, '/svc => /#/loom.svc/default/8080;');
  assert.deepEqual(store.get('default'), created);
  const same = store.update('default', A);
  assert.notEqual(same.version, created.version, 'rewriting the same dtab still changes the version');
  const changed = store.update('default', B, same.version);
  assert.equal(changed.text, '/svc => /$/inet/127.0.0.1/9000 | /#/loom.svc/default/8080;');
  store.create('canary', A);
  assert.deepEqual(store.list(), ['canary', 'default']);
  assert.equal(store.get('nope'), undefined);
});

test('a stale If-Match is refused with both versions and leaves the dtab as it was', () => {
  const store = new MemoryDtabStore();
  const first = store.create('default', A);
  const second = store.update('default', B, first.version);
  assert.throws(() => store.update('default', A, first.version), (err: unknown) => {
    assert.ok(err instanceof DtabStaleVersionError);
    assert.equal(err.code, 'stale_version');
    assert.equal(err.current, second.version);
    assert.match(err.message, new RegExp(`namespace default changed since version ${first.version} \\(now ${second.version}\\)`));
    return true;
  });
  assert.deepEqual(store.get('default'), second);
});

test('create of an existing namespace, update and delete of a missing one fail with stable codes', () => {
  const store = new MemoryDtabStore();
  store.create('default', A);
  assert.throws(() => store.create('default', B), (err: unknown) => err instanceof DtabExistsError && err.code === 'exists');
  assert.throws(() => store.update('nope', A), (err: unknown) => err instanceof DtabNotFoundError && err.code === 'not_found');
  assert.throws(() => store.delete('nope'), (err: unknown) => err instanceof DtabNotFoundError && /namespace nope has no dtab; create it first/.test(err.message));
  store.delete('default');
  assert.deepEqual(store.list(), []);
});

test('a version is never reused after delete and create, even by a new store that loaded the same entries', () => {
  const store = new MemoryDtabStore();
  const seen = new Set<string>();
  for (let i = 0; i < 5; i++) {
    seen.add(store.create('default', A).version);
    store.delete('default');
  }
  assert.equal(seen.size, 5);
  const restarted = new MemoryDtabStore([['other', { dtab: A, text: '', version: '3-abcdef01' }]]);
  const next = restarted.create('default', A).version;
  assert.match(next, /^4-[0-9a-f]{8}$/, 'the counter goes on from the highest loaded version');
  assert.ok(!seen.has(next));
});

test('namespace names: letters, digits, _ . - and at most 100 characters', () => {
  const store = new MemoryDtabStore();
  for (const ok of ['default', 'a', 'team_a.v2-canary', 'x'.repeat(100)]) store.create(ok, A);
  for (const bad of ['', 'a/b', 'dé', 'a b', 'x'.repeat(101)]) {
    assert.throws(() => store.create(bad, A), (err: unknown) => err instanceof InvalidNamespaceError && err.code === 'invalid_namespace' && /is not a dtab namespace; use 1 to 100 letters/.test(err.message), bad);
  }
});

test('watchers hear every write and delete until they stop; a throwing watcher does not stop the others', () => {
  const store = new MemoryDtabStore();
  const heard: Array<[string, string | undefined]> = [];
  store.watch(() => {
    throw new Error('broken watcher');
  });
  const stop = store.watch((ns, entry: DtabEntry | undefined) => heard.push([ns, entry?.version]));
  const v1 = store.create('default', A).version;
  const v2 = store.update('default', B).version;
  store.delete('default');
  stop();
  store.create('default', A);
  assert.deepEqual(heard, [['default', v1], ['default', v2], ['default', undefined]]);
});

test('a failing persist leaves the store unchanged and tells no watcher', () => {
  class Failing extends MemoryDtabStore {
    fail = false;
    protected override persist(): void {
      if (this.fail) throw new Error('disk full');
    }
  }
  const store = new Failing();
  const before = store.create('default', A);
  let calls = 0;
  store.watch(() => calls++);
  store.fail = true;
  assert.throws(() => store.update('default', B), /disk full/);
  assert.throws(() => store.delete('default'), /disk full/);
  assert.deepEqual(store.get('default'), before);
  assert.equal(calls, 0);
  store.fail = false;
  assert.notEqual(store.update('default', B).version, before.version);
});
