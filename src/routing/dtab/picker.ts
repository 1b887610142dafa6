import type { BoundTree, Path, Weighted } from './types.js';

export type Pick =
  | { readonly kind: 'bound'; readonly name: Path }
  | { readonly kind: 'neg' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'fail'; readonly reason: string };

export interface PickOptions {
  /** What the caller knows of a bound name now: a service with no endpoints is 'empty', an unknown one 'neg'. */
  readonly status?: (name: Path) => 'bound' | 'neg' | 'empty';
}

const NEG_PICK: Pick = { kind: 'neg' };
const EMPTY_PICK: Pick = { kind: 'empty' };

/**
 * Picks one bound name for a request. `random` in [0, 1) decides every union on the way: the share
 * of the interval a member won is rescaled to [0, 1) for the choices inside it, so one number suffices.
 * Alternation takes the first branch that yields a name: negative and empty branches fall through,
 * a failure stops. A union chooses by weight among the members that yield a name.
 */
export function pickBound(tree: BoundTree, random: number, options: PickOptions = {}): Pick {
  return pick(tree, clamp(random), options.status);
}

function pick(tree: BoundTree, r: number, status: PickOptions['status']): Pick {
  switch (tree.kind) {
    case 'leaf': {
      const s = status === undefined ? 'bound' : status(tree.value);
      if (s === 'bound') return { kind: 'bound', name: tree.value };
      return s === 'neg' ? NEG_PICK : EMPTY_PICK;
    }
    case 'alt': {
      let sawEmpty = false;
      for (const t of tree.trees) {
        const p = pick(t, r, status);
        if (p.kind === 'bound' || p.kind === 'fail') return p;
        if (p.kind === 'empty') sawEmpty = true;
      }
      return sawEmpty ? EMPTY_PICK : NEG_PICK;
    }
    case 'union':
      return pickUnion(tree.members, r, status);
    case 'neg':
      return NEG_PICK;
    case 'empty':
      return EMPTY_PICK;
    case 'fail':
      return { kind: 'fail', reason: tree.reason ?? 'the dtab says to fail (!)' };
  }
}

function pickUnion(members: readonly Weighted<Path>[], random: number, status: PickOptions['status']): Pick {
  let candidates = members;
  let sawEmpty = false;
  let r = random;
  // A member that yields no name is dropped and the choice made again among the rest by their weights
  // (Finagle drops negative members of a union), so `1 * $ & 1 * /a & 1 * /b` splits /a and /b evenly.
  while (candidates.length > 0) {
    const total = candidates.reduce((sum, m) => sum + m.weight, 0);
    const equal = !(total > 0);
    const target = r * (equal ? candidates.length : total);
    let low = 0;
    let chosen = candidates.length - 1;
    for (let i = 0; i < candidates.length; i++) {
      const w = equal ? 1 : (candidates[i] as Weighted<Path>).weight;
      if (target < low + w || i === candidates.length - 1) {
        chosen = i;
        break;
      }
      low += w;
    }
    const member = candidates[chosen] as Weighted<Path>;
    const width = equal ? 1 : member.weight;
    const inner = width > 0 ? clamp((target - low) / width) : 0;
    const p = pick(member.tree, inner, status);
    if (p.kind === 'bound') return p;
    if (p.kind === 'empty') sawEmpty = true;
    candidates = candidates.filter((_, i) => i !== chosen);
    // Where r fell inside the dropped member's slot is again uniform in [0, 1): it chooses afresh.
    r = inner;
  }
  return sawEmpty ? EMPTY_PICK : NEG_PICK;
}

function clamp(r: number): number {
  if (!(r > 0)) return 0;
  return r < 1 ? r : 1 - Number.EPSILON;
}
