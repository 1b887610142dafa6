// diagnose() is fed user input: random policies, requests, dtabs and overrides must give a plain-JSON
// answer without throwing, and the shares it reports must be the picker's own.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseResource, type HTTPRouteResource } from '../resources/index.js';
import type { ClientPolicy } from './client-policy.js';
import { formatDiagnosis } from './diagnose-format.js';
import { diagnose, type BoundNode, type Diagnosis } from './diagnose.js';
import { dtabToString, parseDtab, parsePath, pathToString, pickBound, resolve, type Dentry, type NameTree, type Path } from './dtab/index.js';
import { Prng } from './dtab/prng.test-helper.js';

const CASES = 600;
const SHARE_CASES = 500; // each resolves again and picks 2000 times
const NAMES = ['a.ns.svc:80', 'b.ns.svc:80', 'a.ns.svc.cluster.local:80', 'a.ns.svc', 'example.com:443', '', ':80', '[::1]:80', 'A.NS.SVC:80', 'a.ns.svc:99999'];
const SEGMENTS = ['svc', 'ns', '80', 'a', 'b'];
const LEAVES = ['/#/loom.svc/ns/80/a', '/#/loom.svc/ns/80/b', '/$/inet/127.0.0.1/9000', '/$/inet/h/x', '/#/io.l5d.k8s/ns/80/a', '/svc/ns/80/b', '/svc/ns/80/a', '/c'];
const WEIGHTS = [0, 0.5, 1, 2, 9, 0.001];
const TOKENS = ['/svc', '/ns/80/a', '=>', ';', '|', '&', '*', '0.5', '(', ')', '!', '~', '$', ' ', '/#/loom.svc/ns/80/b', '#', '\n', 'é', '\u0000'];
const STRINGS = ['', '/', '/x?y=1', 'GET', 'x', '\u0000', 'é', ' ', ':', '%', '/books/7'];

function genPath(rng: Prng, prefix: boolean): string[] {
  // A prefix `/` matches every path: kept, but rare, as each one spends the resolver's whole budget.
  const length = prefix && rng.int(20) !== 0 ? 1 + rng.int(4) : rng.int(5);
  return Array.from({ length }, () => (prefix && rng.int(6) === 0 ? '*' : rng.of(SEGMENTS)));
}

function genTree(rng: Prng, depth: number): NameTree<Path> {
  const roll = depth > 2 ? rng.int(4) : rng.int(7);
  if (roll <= 1) return { kind: 'leaf', value: (parsePath(rng.of(LEAVES)) as { ok: true; value: Path }).value };
  if (roll === 2) return rng.of<NameTree<Path>>([{ kind: 'neg' }, { kind: 'fail' }, { kind: 'empty' }]);
  if (roll === 3) return { kind: 'leaf', value: genPath(rng, false) };
  if (roll === 4) return { kind: 'alt', trees: Array.from({ length: 2 + rng.int(2) }, () => genTree(rng, depth + 1)) };
  return { kind: 'union', members: Array.from({ length: 1 + rng.int(4) }, () => ({ weight: rng.of(WEIGHTS), tree: genTree(rng, depth + 1) })) };
}

function genDtabText(rng: Prng): string {
  if (rng.int(8) === 0) return Array.from({ length: rng.int(12) }, () => rng.of(TOKENS)).join(''); // often malformed
  return dtabToString(Array.from({ length: rng.int(6) }, (): Dentry => ({ prefix: genPath(rng, true), tree: genTree(rng, 0) })), ' ');
}

function genRoutes(rng: Prng, name: string): HTTPRouteResource[] {
  if (rng.int(3) !== 0) return [];
  const backendRefs = Array.from({ length: rng.int(4) }, () => ({ name: rng.of(['a', 'b', 'c']), namespace: 'ns', port: rng.of([80, 8080]), weight: rng.of([0, 1, 3]) }));
  const rule = { matches: [{ path: { type: 'PathPrefix', value: rng.of(['/', '/books', '/x']) } }], backendRefs, ...(rng.int(4) === 0 ? { loom: { fault: { abort: { status: 503, percent: 50 } } } } : {}) };
  const r = parseResource({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'ns' }, spec: { parentRefs: [{ kind: 'Service', name: name.split('.')[0] || 'a' }], rules: [rule] } });
  return r.ok ? [r.resource as HTTPRouteResource] : [];
}

function genCase(seed: number): { policy: ClientPolicy; request: { method: string; path: string; headers: Record<string, string> }; override?: string } {
  const rng = new Prng(seed);
  const name = rng.of(NAMES);
  const headers: Record<string, string> = {};
  for (let i = rng.int(3); i > 0; i--) headers[rng.of(['loom-dtab', 'L5d-Dtab', 'content-type', 'x', ''])] = rng.int(2) === 0 ? genDtabText(rng) : rng.of(STRINGS);
  return {
    policy: { name, httpRoutes: genRoutes(rng, name), grpcRoutes: [], ...(rng.int(4) !== 0 ? { dtab: { namespace: 'default', text: genDtabText(rng), version: '1' } } : {}) },
    request: { method: rng.of(['GET', 'POST', '', 'get']), path: rng.of(STRINGS), headers },
    ...(rng.int(3) === 0 ? { override: genDtabText(rng) } : {}),
  };
}

/** Report paths are cut after 240 characters: compare that much. */
const KEY = 240;

/** The share of a backend's requests each end takes, by bound path or failure kind. */
function reportedEnds(node: BoundNode, out = new Map<string, number>()): Map<string, number> {
  const add = (key: string, p: number) => out.set(key, (out.get(key) ?? 0) + p);
  if (node.kind === 'leaf') add((node.path ?? node.authority ?? '').slice(0, KEY), node.sharePercent);
  else if (node.kind === 'alt' || node.kind === 'union') {
    if (node.problem !== undefined) add('no name', node.sharePercent);
    else for (const c of node.kind === 'alt' ? node.branches : node.members.map((m) => m.node)) reportedEnds(c, out);
  } else add(node.kind === 'fail' ? 'fail' : node.kind === 'omitted' ? 'omitted' : 'no name', node.sharePercent);
  return out;
}

function pickedEnds(d: Diagnosis, backend: number, samples: number): Map<string, number> {
  const b = d.backends[backend];
  const dtab = parseDtab(b?.dtab.map((l) => l.dentry).join(';') ?? '');
  const path = parsePath(b?.dtabPath ?? '');
  assert.ok(dtab.ok && path.ok);
  const tree = resolve(dtab.value, path.value).tree;
  const out = new Map<string, number>();
  for (let i = 0; i < samples; i++) {
    const p = pickBound(tree, (i + 0.5) / samples);
    const key = p.kind === 'bound' ? pathToString(p.name).slice(0, KEY) : p.kind === 'fail' ? 'fail' : 'no name';
    out.set(key, (out.get(key) ?? 0) + 100 / samples);
  }
  return out;
}

/** A dtab that splits `a.ns.svc:80` by weight, with names that bind nothing among the members. */
function genSplitCase(seed: number): ClientPolicy {
  const rng = new Prng(seed);
  const member = (depth: number): string => {
    const roll = depth === 0 ? 6 : rng.int(depth > 2 ? 5 : 7);
    if (roll === 0) return rng.of(['$', '~', '!', '/c', '/#/io.l5d.k8s/ns/80/a']);
    if (roll <= 3) return rng.of(['/svc/ns/80/b', '/#/loom.svc/ns/80/a', '/$/inet/127.0.0.1/9000', '/svc/ns/80/c', '$']);
    if (roll === 4) return `(${member(depth + 1)} | ${member(depth + 1)})`;
    return `(${Array.from({ length: 2 + rng.int(3) }, () => `${rng.of(WEIGHTS)} * ${member(depth + 1)}`).join(' & ')})`;
  };
  const text = `/svc/ns/80/a => ${member(0)}; /svc/ns/80/b => ${member(1)}; /svc/ns/80/c => ${member(1)}`;
  return { name: 'a.ns.svc:80', httpRoutes: [], grpcRoutes: [], dtab: { namespace: 'default', text, version: '1' } };
}

describe('diagnose properties', () => {
  it('random policies, requests and overrides give plain JSON and text without throwing', () => {
    let delegated = 0;
    for (let seed = 0; seed < CASES; seed++) {
      const input = genCase(seed);
      const d = diagnose(input, (authority) => (authority.startsWith('a.') ? [{ addr: '127.0.0.1:1', labels: { seed: String(seed) } }] : []));
      assert.deepEqual(JSON.parse(JSON.stringify(d)), d, `seed ${seed}: not plain JSON`);
      assert.ok(!d.problems.some((p) => p.startsWith('internal error')), `seed ${seed}: ${d.problems.join('; ')}`);
      assert.equal(typeof formatDiagnosis(d), 'string');
      const total = d.outcomes.reduce((s, o) => s + o.percent, 0);
      assert.ok(Math.abs(total - 100) < 0.01, `seed ${seed}: outcomes add up to ${total}%`);
      if (d.backends.some((b) => b.dtab.length > 1)) delegated++;
    }
    assert.ok(delegated > CASES / 4, `only ${delegated} cases delegated through a dtab`);
  });

  it('every bound path\'s share is the fraction of numbers in [0, 1) the picker sends to it', () => {
    const samples = 2000;
    let split = 0;
    for (let seed = 0; seed < SHARE_CASES; seed++) {
      const d = diagnose(seed % 2 === 0 ? genCase(seed + 1_000_000) : { policy: genSplitCase(seed), request: { method: 'GET', path: '/', headers: {} } }, () => []);
      d.backends.forEach((b, i) => {
        if (b.dtabPath === undefined) return;
        const reported = reportedEnds(b.tree);
        if (reported.has('omitted')) return;
        const picked = pickedEnds(d, i, samples);
        if ([...reported.values()].some((p) => p > 0 && p < 100)) split++;
        for (const key of new Set([...reported.keys(), ...picked.keys()])) {
          const r = reported.get(key) ?? 0;
          const p = picked.get(key) ?? 0;
          // Each end's numbers form a few intervals; sampling is off by at most one sample per edge.
          assert.ok(Math.abs(r - p) < 0.5, `${seed % 2 === 0 ? `genCase(${seed + 1_000_000})` : `genSplitCase(${seed})`}, backend ${b.authority}, ${key}: reported ${r}%, the picker ${p}%`);
        }
      });
    }
    assert.ok(split > SHARE_CASES / 5, `only ${split} backends split their requests`);
  });
});
