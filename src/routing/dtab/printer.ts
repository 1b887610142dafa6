import type { Dentry, Dtab, NameTree, Path, Prefix, Weighted } from './types.js';

// Prints what parser.ts reads back to the same structure: `&` binds tighter than `|`, so an
// alternation inside anything is parenthesized, and a union inside a union or under a weight too.

export function pathToString(path: Path | Prefix): string {
  return path.length === 0 ? '/' : '/' + path.join('/');
}

/** A weight as the grammar's `[0-9]*.?[0-9]+`: never exponent notation. */
export function weightToString(weight: number): string {
  const s = String(weight);
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (m === null) return s;
  const digits = (m[1] ?? '') + (m[2] ?? '');
  const exp = Number(m[3]);
  if (exp >= 0) return digits.padEnd(exp + 1, '0');
  return '0.' + '0'.repeat(-exp - 1) + digits;
}

export function treeToString<T>(tree: NameTree<T>, show: (value: T) => string): string {
  if (tree.kind === 'alt') return tree.trees.map((t) => altMember(t, show)).join(' | ');
  return altMember(tree, show);
}

function altMember<T>(tree: NameTree<T>, show: (value: T) => string): string {
  if (tree.kind === 'union') return tree.members.map((m) => unionMember(m, tree.members.length === 1, show)).join(' & ');
  return simple(tree, show);
}

function unionMember<T>(m: Weighted<T>, alone: boolean, show: (value: T) => string): string {
  const body = simple(m.tree, show);
  return m.weight === 1 && !alone ? body : `${weightToString(m.weight)} * ${body}`;
}

function simple<T>(tree: NameTree<T>, show: (value: T) => string): string {
  switch (tree.kind) {
    case 'leaf':
      return show(tree.value);
    case 'alt':
    case 'union':
      return `(${treeToString(tree, show)})`;
    case 'neg':
      return '~';
    case 'fail':
      return '!';
    case 'empty':
      return '$';
  }
}

export function nameTreeToString(tree: NameTree<Path>): string {
  return treeToString(tree, pathToString);
}

export function dentryToString(dentry: Dentry): string {
  return `${pathToString(dentry.prefix)} => ${nameTreeToString(dentry.tree)}`;
}

/** One dentry per line, each ending in ';' (the header form joins them with no newline). */
export function dtabToString(dtab: Dtab, separator = '\n'): string {
  return dtab.map((d) => dentryToString(d) + ';').join(separator);
}
