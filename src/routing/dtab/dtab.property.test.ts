import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DtabParseError } from './errors.js';
import { parseDtab } from './parser.js';
import { pickBound } from './picker.js';
import { dtabToString } from './printer.js';
import { resolve } from './resolver.js';
import { formatTrace } from './trace.js';
import type { Dentry, Dtab, NameTree, Path } from './types.js';
import { isBoundName, leaves } from './index.js';
import { Prng } from './prng.test-helper.js';

const CASES = 3000;
const RESOLVE_CASES = 2000; // pathological dtabs spend their whole step budget

function assertParsesOrFails(source: string, seed: number): void {
  const r = parseDtab(source); // any other exception fails the test
  if (r.ok) return;
  const e = r.error;
  assert.ok(e instanceof DtabParseError, `seed ${seed}`);
  assert.ok(e.offset >= 0 && e.offset <= source.length && e.line >= 1 && e.column >= 1, `seed ${seed}: ${e.message}`);
  assert.match(e.message, /^expected /);
}

const CHARS = '/ab*$#~!|&()=>;.0123456789 \n\t\\"\'-:_%é\u0000';
const TOKENS = ['/a', '/', '/b/c', '/*', '/$/inet/h/1', '/#/loom.svc/ns/80', '=>', ';', '|', '&', '*', '0.5', '2', '.', '(', ')', '!', '~', '$', ' ', '\n', '# c\n', '=', '>', 'x'];

// Small segment alphabets make matches, fall-throughs and cycles common.
const SEGMENTS = ['a', 'b', 'c'];
const WEIGHTS = [0, 0.5, 1, 2, 0.001, 1e-7, 12.75];

function genPath(rng: Prng, prefix: boolean): string[] {
  const n = rng.int(4);
  return Array.from({ length: n }, () => (prefix && rng.int(5) === 0 ? '*' : rng.of(SEGMENTS)));
}

function genLeafPath(rng: Prng): Path {
  const roll = rng.int(6);
  if (roll === 0) return ['$', 'inet', rng.of(SEGMENTS), '80'];
  if (roll === 1) return ['#', 'loom.svc', 'ns', '80', rng.of(SEGMENTS)];
  return genPath(rng, false);
}

function genTree(rng: Prng, depth: number): NameTree<Path> {
  const roll = depth > 2 ? rng.int(4) : rng.int(7);
  switch (roll) {
    case 0:
    case 1:
      return { kind: 'leaf', value: genLeafPath(rng) };
    case 2:
      return rng.of<NameTree<Path>>([{ kind: 'neg' }, { kind: 'fail' }, { kind: 'empty' }]);
    case 3:
      return { kind: 'leaf', value: genPath(rng, false) };
    case 4:
      return { kind: 'alt', trees: Array.from({ length: 2 + rng.int(2) }, () => genTree(rng, depth + 1)) };
    default:
      return {
        kind: 'union',
        members: Array.from({ length: 1 + rng.int(3) }, () => ({
          weight: rng.int(3) === 0 ? rng.next() * 10 : rng.of(WEIGHTS),
          tree: genTree(rng, depth + 1),
        })),
      };
  }
}

function genDtab(rng: Prng): Dtab {
  return Array.from({ length: rng.int(8) }, (): Dentry => ({ prefix: genPath(rng, true), tree: genTree(rng, 0) }));
}

describe('dtab properties', () => {
  it('random strings parse or fail with a DtabParseError', () => {
    for (let seed = 0; seed < CASES; seed++) {
      const rng = new Prng(seed);
      const s = Array.from({ length: rng.int(40) }, () => rng.of([...CHARS])).join('');
      assertParsesOrFails(s, seed);
    }
  });

  it('random token soups parse or fail with a DtabParseError', () => {
    for (let seed = 0; seed < CASES; seed++) {
      const rng = new Prng(seed + 1_000_000);
      const s = Array.from({ length: rng.int(30) }, () => rng.of(TOKENS)).join(rng.int(2) === 0 ? '' : ' ');
      assertParsesOrFails(s, seed);
    }
  });

  it('valid dtabs round-trip through toString', () => {
    for (let seed = 0; seed < CASES; seed++) {
      const dtab = genDtab(new Prng(seed + 2_000_000));
      for (const sep of ['\n', ' ', '']) {
        const text = dtabToString(dtab, sep);
        const back = parseDtab(text);
        assert.ok(back.ok, `seed ${seed}: ${text}: ${back.ok ? '' : back.error.message}`);
        assert.deepEqual(back.value, dtab, `seed ${seed}: ${text}`);
      }
    }
  });

  it('resolving random paths against random dtabs terminates without throwing', () => {
    let bound = 0;
    for (let seed = 0; seed < RESOLVE_CASES; seed++) {
      const rng = new Prng(seed + 3_000_000);
      const dtab = genDtab(rng);
      const path = genPath(rng, false);
      const r = resolve(dtab, path, { trace: seed % 2 === 0, maxSteps: 500 });
      for (const name of leaves(r.tree)) assert.ok(isBoundName(name), `seed ${seed}: unbound leaf`);
      if (r.trace.length < 100) formatTrace(r.trace);
      const pick = pickBound(r.tree, rng.next());
      if (pick.kind === 'bound') {
        bound++;
        assert.ok(isBoundName(pick.name));
      }
    }
    assert.ok(bound > RESOLVE_CASES / 20, `only ${bound} resolutions reached a bound name`);
  });
});
