import { dentryToString, nameTreeToString, pathToString } from './printer.js';
import type { BoundTree, Dentry, NameTree, Path } from './types.js';

/** One step of a delegation, in the order the resolver took it; `depth` counts rewrites. */
export type TraceStep =
  | {
      readonly kind: 'match';
      readonly depth: number;
      readonly path: Path;
      readonly dentryIndex: number;
      readonly dentry: Dentry;
      readonly rewrite: NameTree<Path>;
      /** Filled in once the rewrite is itself resolved. */
      result: BoundTree | undefined;
    }
  | { readonly kind: 'bound'; readonly depth: number; readonly path: Path }
  | { readonly kind: 'neg'; readonly depth: number; readonly path: Path }
  | { readonly kind: 'fail'; readonly depth: number; readonly path: Path; readonly reason: string };

/** Lines for `loom diagnose`: one per step, indented by depth. */
export function formatTrace(trace: readonly TraceStep[]): string {
  return trace
    .map((step) => {
      const indent = '  '.repeat(step.depth);
      const path = pathToString(step.path);
      switch (step.kind) {
        case 'match': {
          const result = step.result === undefined ? '?' : nameTreeToString(step.result);
          return `${indent}${path}: dentry #${step.dentryIndex} ${dentryToString(step.dentry)} rewrites to ${nameTreeToString(step.rewrite)} => ${result}`;
        }
        case 'bound':
          return `${indent}${path}: bound name`;
        case 'neg':
          return `${indent}${path}: no dentry matches (neg)`;
        case 'fail':
          return `${indent}${path}: failed: ${step.reason}`;
      }
    })
    .join('\n');
}
