import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNameTree } from './parser.js';
import { pickBound } from './picker.js';
import { pathToString } from './printer.js';
import type { NameTree, Path } from './types.js';

function tree(s: string): NameTree<Path> {
  const r = parseNameTree(s);
  if (!r.ok) throw r.error;
  return r.value;
}

function name(t: string, random: number, status?: (name: Path) => 'bound' | 'neg' | 'empty'): string {
  const p = pickBound(tree(t), random, status === undefined ? {} : { status });
  return p.kind === 'bound' ? pathToString(p.name) : p.kind;
}

describe('pickBound', () => {
  it('takes the first branch of an alternation that yields a name', () => {
    assert.equal(name('/$/a | /$/b', 0.5), '/$/a');
    assert.equal(name('~ | /$/b', 0.5), '/$/b');
    assert.equal(name('$ | /$/b', 0.5), '/$/b');
    assert.equal(name('$ | ~', 0.5), 'empty');
    assert.equal(name('~ | ~', 0.5), 'neg');
    assert.equal(name('! | /$/b', 0.5), 'fail');
  });

  it('falls back when the caller says a name is unknown or has no endpoints', () => {
    const status = (n: Path): 'empty' | 'bound' => (n[1] === 'a' ? 'empty' : 'bound');
    assert.equal(name('/$/a | /$/b', 0.1, status), '/$/b');
    assert.equal(name('/$/a & /$/b', 0.1, status), '/$/b');
  });

  it('chooses union members by weight', () => {
    const counts = new Map<string, number>();
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      const got = name('0.2 * /$/a & 0.8 * /$/b', (i + 0.5) / n);
      counts.set(got, (counts.get(got) ?? 0) + 1);
    }
    assert.deepEqual([...counts.entries()].sort(), [['/$/a', 2000], ['/$/b', 8000]]);
    assert.equal(name('/$/a & /$/b', 0.49), '/$/a');
    assert.equal(name('/$/a & /$/b', 0.51), '/$/b');
  });

  it('rescales the random number for choices inside a member', () => {
    const t = '0.5 * (/$/a & /$/b) & 0.5 * /$/c';
    assert.deepEqual([0.1, 0.3, 0.7].map((r) => name(t, r)), ['/$/a', '/$/b', '/$/c']);
  });

  it('skips negative, failed and empty union members', () => {
    assert.equal(name('0.9 * ~ & 0.1 * /$/b', 0.05), '/$/b');
    assert.equal(name('0.9 * ! & 0.1 * /$/b', 0.05), '/$/b');
    assert.equal(name('0.9 * $ & 0.1 * ~', 0.05), 'empty');
  });

  it('treats zero weights as equal and clamps the random number', () => {
    assert.equal(name('0 * /$/a & 0 * /$/b', 0.9), '/$/b');
    assert.equal(name('/$/a & /$/b', 1), '/$/b');
    assert.equal(name('/$/a & /$/b', -3), '/$/a');
    assert.equal(name('/$/a & /$/b', Number.NaN), '/$/a');
  });

  it('gives the resolver failure reason', () => {
    assert.deepEqual(pickBound({ kind: 'fail', reason: 'delegation cycle: /a -> /a' }, 0), { kind: 'fail', reason: 'delegation cycle: /a -> /a' });
  });
});
