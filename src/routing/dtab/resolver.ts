import { pathToString } from './printer.js';
import type { TraceStep } from './trace.js';
import { mapLeaves, matchPrefix, simplifiedAlt, simplifiedUnion } from './tree.js';
import type { BoundTree, Dtab, NameTree, Path, Weighted } from './types.js';
import { NEG, fail, isBoundName, leaf } from './types.js';

export interface ResolveOptions {
  /** Rewrites along one branch before giving up (Finagle's interpreter uses 100). */
  readonly maxDepth?: number;
  /** Paths bound in one resolution, all branches together: guards against exponential dtabs. */
  readonly maxSteps?: number;
  /** Record the delegation trace (off on the request path, on for diagnosis). */
  readonly trace?: boolean;
}

export interface Resolution {
  readonly tree: BoundTree;
  readonly trace: readonly TraceStep[];
}

/**
 * Binds `path` against `dtab` (Finagle's Dtab.lookup applied recursively): dentries are tried from
 * the last to the first; each matching one rewrites the path (its unmatched tail is appended to every
 * leaf of the dentry's tree), and the rewrites form an alternation, so a `~` falls through to earlier
 * dentries and a `!` stops. Leaves are bound again until they are bound names (`/$/...`, `/#/...`).
 * Never throws: cycles, depth and step limits become `fail` nodes with a reason.
 */
export function resolve(dtab: Dtab, path: Path, options: ResolveOptions = {}): Resolution {
  const resolver = new DtabResolver(dtab, options);
  const tree = resolver.bind(path, 0);
  // Past the budget, parts of the tree are missing: a union would hide them, so the whole fails.
  return { tree: resolver.exhausted ? fail(resolver.budgetReason) : tree, trace: resolver.trace };
}

class DtabResolver {
  readonly trace: TraceStep[] = [];
  private readonly maxDepth: number;
  private readonly maxSteps: number;
  private readonly tracing: boolean;
  private steps = 0;
  exhausted = false;
  private readonly stack: string[] = [];
  private readonly onStack = new Set<string>();

  constructor(
    private readonly dtab: Dtab,
    { maxDepth = 100, maxSteps = 10_000, trace = false }: ResolveOptions,
  ) {
    this.maxDepth = maxDepth;
    this.maxSteps = maxSteps;
    this.tracing = trace;
  }

  bind(path: Path, depth: number): BoundTree {
    if (isBoundName(path)) {
      if (this.tracing) this.trace.push({ kind: 'bound', depth, path });
      return leaf(path);
    }
    // Every attempt counts, failed ones too, so the work is bounded even with wide fan-out.
    if (++this.steps > this.maxSteps) {
      this.exhausted = true;
      return this.failed(path, depth, this.budgetReason);
    }
    if (depth >= this.maxDepth) return this.failed(path, depth, `delegation deeper than ${this.maxDepth} rewrites`);
    const key = pathToString(path);
    if (this.onStack.has(key)) {
      const cycle = [...this.stack.slice(this.stack.indexOf(key)), key].join(' -> ');
      return this.failed(path, depth, `delegation cycle: ${cycle}`);
    }

    this.stack.push(key);
    this.onStack.add(key);
    const alternatives: BoundTree[] = [];
    for (let i = this.dtab.length - 1; i >= 0; i--) {
      const dentry = this.dtab[i];
      if (dentry === undefined) continue;
      const matched = matchPrefix(dentry.prefix, path);
      if (matched < 0) continue;
      const rest = path.slice(matched);
      const rewrite = rest.length === 0 ? dentry.tree : mapLeaves(dentry.tree, (p) => p.concat(rest));
      const step: TraceStep | undefined = this.tracing
        ? { kind: 'match', depth, path, dentryIndex: i, dentry, rewrite, result: undefined }
        : undefined;
      if (step !== undefined) this.trace.push(step);
      const result = this.bindTree(rewrite, depth + 1);
      if (step?.kind === 'match') step.result = result;
      if (result.kind === 'neg') continue;
      alternatives.push(result);
      if (result.kind === 'fail' || this.exhausted) break; // an alternation stops at a failure: earlier dentries are unreachable
    }
    this.stack.pop();
    this.onStack.delete(key);

    if (alternatives.length === 0) {
      if (this.tracing) this.trace.push({ kind: 'neg', depth, path });
      return NEG;
    }
    return alternatives.length === 1 ? (alternatives[0] as BoundTree) : { kind: 'alt', trees: alternatives };
  }

  /** Binds every leaf; the result is simplified, since every bound subtree already is. */
  private bindTree(tree: NameTree<Path>, depth: number): BoundTree {
    switch (tree.kind) {
      case 'leaf':
        return this.bind(tree.value, depth);
      case 'alt':
        return simplifiedAlt(tree.trees.map((t) => this.bindTree(t, depth)));
      case 'union':
        return simplifiedUnion(tree.members.map((m): Weighted<Path> => ({ weight: m.weight, tree: this.bindTree(m.tree, depth) })));
      default:
        return tree;
    }
  }

  get budgetReason(): string {
    return `delegation took more than ${this.maxSteps} steps`;
  }

  private failed(path: Path, depth: number, reason: string): BoundTree {
    if (this.tracing) this.trace.push({ kind: 'fail', depth, path, reason });
    return fail(reason);
  }
}
