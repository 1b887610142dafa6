import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DtabParseError } from './errors.js';
import { parseDtab, parseNameTree, parsePath, readDtab } from './parser.js';
import { dtabToString, nameTreeToString } from './printer.js';
import type { NameTree, Path } from './types.js';

function tree(s: string): NameTree<Path> {
  const r = parseNameTree(s);
  if (!r.ok) throw r.error;
  return r.value;
}

const leaf = (...value: string[]): NameTree<Path> => ({ kind: 'leaf', value });

describe('paths', () => {
  it('reads segments, and / alone as the empty path', () => {
    assert.deepEqual(parsePath('/a/b.c/d-e_f:1'), { ok: true, value: ['a', 'b.c', 'd-e_f:1'] });
    assert.deepEqual(parsePath('/'), { ok: true, value: [] });
    assert.deepEqual(parsePath('/#/loom.svc/default/80/web'), { ok: true, value: ['#', 'loom.svc', 'default', '80', 'web'] });
    assert.deepEqual(parsePath('/$/inet/127.0.0.1/8080'), { ok: true, value: ['$', 'inet', '127.0.0.1', '8080'] });
  });

  it('refuses empty segments, a trailing slash and * outside prefixes', () => {
    for (const bad of ['/a//b', '/a/', 'a', '/a/*', '']) assert.equal(parsePath(bad).ok, false, bad);
  });
});

describe('name trees', () => {
  it('reads each construct', () => {
    assert.deepEqual(tree('/a'), leaf('a'));
    assert.deepEqual(tree('!'), { kind: 'fail' });
    assert.deepEqual(tree('~'), { kind: 'neg' });
    assert.deepEqual(tree('$'), { kind: 'empty' });
    assert.deepEqual(tree('/a | /b'), { kind: 'alt', trees: [leaf('a'), leaf('b')] });
    assert.deepEqual(tree('0.3 * /a & .7*/b & /c'), {
      kind: 'union',
      members: [{ weight: 0.3, tree: leaf('a') }, { weight: 0.7, tree: leaf('b') }, { weight: 1, tree: leaf('c') }],
    });
    assert.deepEqual(tree('2 * /a'), { kind: 'union', members: [{ weight: 2, tree: leaf('a') }] });
  });

  it('binds & tighter than | (Finagle: /foo & /bar | /baz | $ is Alt(Union(foo, bar), baz, Empty))', () => {
    assert.deepEqual(tree('/foo & /bar | /baz | $'), {
      kind: 'alt',
      trees: [{ kind: 'union', members: [{ weight: 1, tree: leaf('foo') }, { weight: 1, tree: leaf('bar') }] }, leaf('baz'), { kind: 'empty' }],
    });
    assert.deepEqual(tree('/a & (/b | /c)'), {
      kind: 'union',
      members: [{ weight: 1, tree: leaf('a') }, { weight: 1, tree: { kind: 'alt', trees: [leaf('b'), leaf('c')] } }],
    });
  });

  it('prints back what it reads', () => {
    for (const s of ['/a', '/', '!', '~', '$', '/a | /b | ~', '0.3 * /a & 0.7 * /b', '/a & (/b | /c)', '(/a | /b) | /c', '(/a & /b) & /c', '0.5 * (/a | !)', '2 * /a', '(1 * /a) & /b']) {
      assert.equal(nameTreeToString(tree(s)), s);
    }
    assert.equal(nameTreeToString(tree('((/a))')), '/a');
    assert.equal(nameTreeToString({ kind: 'union', members: [{ weight: 1e-7, tree: leaf('a') }, { weight: 1e21, tree: leaf('b') }] }), '0.0000001 * /a & 1000000000000000000000 * /b');
  });
});

describe('dtabs', () => {
  it('reads dentries with whitespace, comments, wildcards and a trailing ;', () => {
    const d = readDtab(`
      # the default
      /svc => /#/loom.svc/default/80;
      /svc/*/v2 => /$/inet/10.0.0.1/8080 ; # canary
      /  => ~;
    `);
    assert.equal(d.length, 3);
    assert.deepEqual(d[1]?.prefix, ['svc', '*', 'v2']);
    assert.deepEqual(d[2]?.prefix, []);
    assert.equal(dtabToString(d), '/svc => /#/loom.svc/default/80;\n/svc/*/v2 => /$/inet/10.0.0.1/8080;\n/ => ~;');
    assert.deepEqual(readDtab(''), []);
    assert.deepEqual(readDtab('  # nothing\n'), []);
    assert.equal(readDtab('/a=>/b;/c=>/d').length, 2);
  });

  it('keeps # inside a path segment', () => {
    assert.deepEqual(readDtab('/a#b => /c # comment')[0]?.prefix, ['a#b']);
  });

  it('reports where and what it expected', () => {
    const r = parseDtab('/a => /b;\n/c = /d');
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.ok(r.error instanceof DtabParseError);
    assert.equal(r.error.offset, 13);
    assert.equal(r.error.line, 2);
    assert.equal(r.error.column, 4);
    assert.equal(r.error.message, `expected '=>' at line 2, column 4 (offset 13), found "="`);
    assert.throws(() => readDtab('/a => '), /expected a path, '!', '~', '\$', '\(' or a weight at line 1, column 7 \(offset 6\), found end of input/);
    assert.throws(() => readDtab('/a => /b /c'), /expected '\|', '&', ';' or end of input/);
    assert.throws(() => readDtab('/a => (/b'), /expected '\)'/);
    assert.throws(() => readDtab('/a => 0.5 /b'), /expected '\*' after the weight/);
    assert.throws(() => readDtab('/a => /b;;'), /expected a path prefix/);
    assert.throws(() => readDtab('/a* => /b'), /expected '=>'/);
  });

  it('refuses deep nesting with an error, not a stack overflow', () => {
    const r = parseNameTree('('.repeat(100_000) + '/a' + ')'.repeat(100_000));
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error.message, /nested parentheses/);
  });
});
