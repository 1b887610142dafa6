// Which fraction of requests each node of a bound tree answers, as picker.ts picks with a uniform
// random number and no endpoint status. Without status, whether a subtree yields a name does not
// depend on the number, so the shares follow from the tree alone: alternation sends everything to its
// first branch that yields a name or fails; a union splits by weight among the members that yield a
// name (equally when their weights are all 0), since a member that yields none is dropped and the
// number chooses afresh among the rest.
import type { BoundTree } from './types.js';

/** What a subtree gives the picker. */
export type Yield = 'bound' | 'fail' | 'neg' | 'empty';

export interface ShareNode {
  readonly tree: BoundTree;
  readonly yields: Yield;
  readonly children: readonly ShareNode[];
  /** The fraction of all requests that reach this node (a parent's share includes its children's). */
  share: number;
}

export function boundShares(tree: BoundTree): ShareNode {
  const root = shareNode(tree);
  credit(root, 1);
  return root;
}

function shareNode(tree: BoundTree): ShareNode {
  const children = tree.kind === 'alt' ? tree.trees.map(shareNode) : tree.kind === 'union' ? tree.members.map((m) => shareNode(m.tree)) : [];
  return { tree, yields: yields(tree, children), children, share: 0 };
}

function yields(tree: BoundTree, children: readonly ShareNode[]): Yield {
  if (tree.kind === 'leaf') return 'bound';
  if (tree.kind !== 'alt' && tree.kind !== 'union') return tree.kind;
  const decided = tree.kind === 'alt' ? children.find((c) => c.yields === 'bound' || c.yields === 'fail') : children.find((c) => c.yields === 'bound');
  if (decided) return decided.yields;
  return children.some((c) => c.yields === 'empty') ? 'empty' : 'neg';
}

/** Adds `share` to `node` and hands it on to the children the picker would choose. */
function credit(node: ShareNode, share: number): void {
  node.share += share;
  const { tree } = node;
  if (tree.kind === 'alt') {
    const taken = node.children.find((c) => c.yields === 'bound' || c.yields === 'fail');
    if (taken) credit(taken, share);
  } else if (tree.kind === 'union' && node.yields === 'bound') {
    const bound = node.children.map((c, i) => (c.yields === 'bound' ? i : -1)).filter((i) => i >= 0);
    const total = bound.reduce((sum, i) => sum + (tree.members[i]?.weight ?? 0), 0);
    for (const i of bound) {
      const part = total > 0 ? (tree.members[i]?.weight ?? 0) / total : 1 / bound.length;
      credit(node.children[i] as ShareNode, share * part);
    }
  }
}
