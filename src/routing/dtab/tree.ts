import type { NameTree, Path, Prefix, Weighted } from './types.js';
import { ANY_SEGMENT, NEG } from './types.js';

export function mapLeaves<T, U>(tree: NameTree<T>, f: (value: T) => U): NameTree<U> {
  switch (tree.kind) {
    case 'leaf':
      return { kind: 'leaf', value: f(tree.value) };
    case 'alt':
      return { kind: 'alt', trees: tree.trees.map((t) => mapLeaves(t, f)) };
    case 'union':
      return { kind: 'union', members: tree.members.map((m) => ({ weight: m.weight, tree: mapLeaves(m.tree, f) })) };
    default:
      return tree;
  }
}

/** Every leaf value, left to right. */
export function leaves<T>(tree: NameTree<T>, out: T[] = []): T[] {
  if (tree.kind === 'leaf') out.push(tree.value);
  else if (tree.kind === 'alt') for (const t of tree.trees) leaves(t, out);
  else if (tree.kind === 'union') for (const m of tree.members) leaves(m.tree, out);
  return out;
}

/**
 * An evaluation-equivalent, smaller tree (Finagle's NameTree.simplify): alternation drops
 * negative branches and stops after a failure; union drops negative and failed members.
 */
export function simplify<T>(tree: NameTree<T>): NameTree<T> {
  if (tree.kind === 'alt') return simplifiedAlt(tree.trees.map(simplify));
  if (tree.kind === 'union') return simplifiedUnion(tree.members.map((m) => ({ weight: m.weight, tree: simplify(m.tree) })));
  return tree;
}

/** One level of simplify, for children that are already simplified. */
export function simplifiedAlt<T>(trees: readonly NameTree<T>[]): NameTree<T> {
  const kept: NameTree<T>[] = [];
  for (const t of trees) {
    if (t.kind === 'neg') continue;
    kept.push(t);
    if (t.kind === 'fail') break;
  }
  if (kept.length === 0) return NEG;
  return kept.length === 1 ? (kept[0] as NameTree<T>) : { kind: 'alt', trees: kept };
}

/** One level of simplify, for members that are already simplified. */
export function simplifiedUnion<T>(members: readonly Weighted<T>[]): NameTree<T> {
  const kept = members.filter((m) => m.tree.kind !== 'neg' && m.tree.kind !== 'fail');
  if (kept.length === 0) return NEG;
  return kept.length === 1 ? (kept[0] as Weighted<T>).tree : { kind: 'union', members: kept };
}

/** The number of leading segments of `path` that `prefix` matches, or -1. */
export function matchPrefix(prefix: Prefix, path: Path): number {
  if (prefix.length > path.length) return -1;
  for (let i = 0; i < prefix.length; i++) {
    const p = prefix[i];
    if (p !== ANY_SEGMENT && p !== path[i]) return -1;
  }
  return prefix.length;
}

export function pathsEqual(a: Path, b: Path): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
