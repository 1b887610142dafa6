import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readDtab } from './parser.js';
import { nameTreeToString } from './printer.js';
import { resolve } from './resolver.js';
import { formatTrace } from './trace.js';
import type { Path } from './types.js';

function p(s: string): Path {
  return s === '/' ? [] : s.slice(1).split('/');
}

function bind(dtab: string, path: string): string {
  return nameTreeToString(resolve(readDtab(dtab), p(path)).tree);
}

describe('resolve', () => {
  it('delegates to a bound name, appending the unmatched tail', () => {
    assert.equal(bind('/svc => /#/loom.svc/default/80', '/svc/web'), '/#/loom.svc/default/80/web');
    assert.equal(bind('/http/1.1/* => /svc; /svc => /#/loom.svc/prod/80', '/http/1.1/GET/books/x'), '/#/loom.svc/prod/80/books/x');
  });

  it('matches * against exactly one segment', () => {
    const dtab = '/svc/*/api => /$/inet/api/80';
    assert.equal(bind(dtab, '/svc/a/api/v1'), '/$/inet/api/80/v1');
    assert.equal(bind(dtab, '/svc/api'), '~');
    assert.equal(bind(dtab, '/svc/a/b/api'), '~');
  });

  it('lets a later dentry win and keeps earlier ones as fallbacks', () => {
    const dtab = '/svc => /#/loom.svc/old/80; /svc => /#/loom.svc/new/80';
    assert.equal(bind(dtab, '/svc/web'), '/#/loom.svc/new/80/web | /#/loom.svc/old/80/web');
  });

  it('falls through a negative dentry to earlier ones', () => {
    assert.equal(bind('/svc => /$/inet/a/1; /svc => ~', '/svc'), '/$/inet/a/1');
    assert.equal(bind('/svc => /$/inet/a/1; /svc => /nowhere', '/svc'), '/$/inet/a/1');
    assert.equal(bind('/svc => ~', '/svc'), '~');
    assert.equal(bind('', '/svc'), '~');
  });

  it('stops at ! and keeps $', () => {
    assert.equal(bind('/svc => /$/inet/a/1; /svc => !', '/svc'), '!');
    assert.equal(bind('/svc => /$/inet/a/1; /svc => $', '/svc'), '$ | /$/inet/a/1');
  });

  it('resolves alternations and unions inside a tree', () => {
    const dtab = '/a => /$/inet/a/1; /b => /$/inet/b/1; /s => 0.9 * /a & 0.1 * /b | /c';
    assert.equal(bind(dtab, '/s'), '0.9 * /$/inet/a/1 & 0.1 * /$/inet/b/1');
    assert.equal(bind('/b => /$/inet/b/1; /s => /a | /b', '/s'), '/$/inet/b/1');
    assert.equal(bind('/b => /$/inet/b/1; /s => /a & 3 * /b', '/s'), '/$/inet/b/1');
  });

  it('turns a cycle into a failure that names it', () => {
    const r = resolve(readDtab('/a => /b; /b => /c; /c => /a'), p('/a'));
    assert.deepEqual(r.tree, { kind: 'fail', reason: 'delegation cycle: /a -> /b -> /c -> /a' });
  });

  it('turns unbounded growth into a depth failure', () => {
    const r = resolve(readDtab('/a => /a/x'), p('/a'));
    assert.deepEqual(r.tree, { kind: 'fail', reason: 'delegation deeper than 100 rewrites' });
    const shallow = resolve(readDtab('/a => /a/x'), p('/a'), { maxDepth: 5 });
    assert.deepEqual(shallow.tree, { kind: 'fail', reason: 'delegation deeper than 5 rewrites' });
  });

  it('bounds exponential fan-out by a step budget', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `/n${i} => /n${i + 1} & /n${i + 1}`);
    const r = resolve(readDtab(lines.join(';')), p('/n0'), { maxSteps: 1000 });
    assert.deepEqual(r.tree, { kind: 'fail', reason: 'delegation took more than 1000 steps' });
  });

  it('records a trace of each step', () => {
    const r = resolve(readDtab('/svc => /#/loom.svc/default/80; /http/* => /svc'), p('/http/1.1/web'), { trace: true });
    assert.deepEqual(r.trace.map((s) => [s.kind, s.depth]), [['match', 0], ['match', 1], ['bound', 2]]);
    assert.equal(
      formatTrace(r.trace),
      [
        '/http/1.1/web: dentry #1 /http/* => /svc rewrites to /svc/web => /#/loom.svc/default/80/web',
        '  /svc/web: dentry #0 /svc => /#/loom.svc/default/80 rewrites to /#/loom.svc/default/80/web => /#/loom.svc/default/80/web',
        '    /#/loom.svc/default/80/web: bound name',
      ].join('\n'),
    );
    assert.deepEqual(resolve(readDtab('/a => /b'), p('/a')).trace, []);
    const neg = resolve(readDtab('/a => /b'), p('/a'), { trace: true });
    assert.match(formatTrace(neg.trace), /\/b: no dentry matches \(neg\)/);
  });
});
