/** A path such as `/s/books`: its segments, without slashes. `[]` is the empty path `/`. */
export type Path = readonly string[];

/** A dentry prefix: like a path, but a segment `*` matches any one segment. */
export type Prefix = readonly string[];

export const ANY_SEGMENT = '*';

export interface Weighted<T> {
  readonly weight: number;
  readonly tree: NameTree<T>;
}

/**
 * Finagle's name tree. `neg`: the name does not exist here (fall back); `fail`: stop;
 * `empty`: exists but has no endpoints. `reason` is set only on failures the resolver makes.
 */
export type NameTree<T> =
  | { readonly kind: 'leaf'; readonly value: T }
  | { readonly kind: 'alt'; readonly trees: readonly NameTree<T>[] }
  | { readonly kind: 'union'; readonly members: readonly Weighted<T>[] }
  | { readonly kind: 'neg' }
  | { readonly kind: 'fail'; readonly reason?: string }
  | { readonly kind: 'empty' };

export interface Dentry {
  readonly prefix: Prefix;
  readonly tree: NameTree<Path>;
}

export type Dtab = readonly Dentry[];

/** A tree whose leaves are bound names: paths under `/$/` or `/#/`, which the caller resolves. */
export type BoundTree = NameTree<Path>;

export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const NEG: NameTree<never> = { kind: 'neg' };
export const EMPTY: NameTree<never> = { kind: 'empty' };

export function leaf<T>(value: T): NameTree<T> {
  return { kind: 'leaf', value };
}

export function fail(reason?: string): NameTree<never> {
  return reason === undefined ? { kind: 'fail' } : { kind: 'fail', reason };
}

/** Namer roots: `/$/inet/<host>/<port>` and `/#/loom.svc/<ns>/<port>/<svc>` are bound, not delegated. */
export function isBoundName(path: Path): boolean {
  const head = path[0];
  return head === '$' || head === '#';
}
