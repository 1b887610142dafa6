// The bound tree of one backend as `loom diagnose` reports it: each node with its share of requests,
// the endpoints behind each leaf, and where every share of requests ends.
import { isIP } from 'node:net';
import { pathToString, type BoundTree, type ShareNode } from './dtab/index.js';
import type { BoundNode, DiagnosedEndpoint, EndpointLookup, Outcome } from './diagnose.js';
import { boundToAuthority } from './service-name.js';

/** Branches past this many are summarised: a pathological dtab still gets a readable, bounded report. */
const MAX_TREE_NODES = 500;
const MAX_TEXT = 240;
/** What the proxy answers when delegation leaves it nothing to dial (DtabError). */
export const DTAB_ERROR = '503 LOOM_ERR_DTAB: ';

/** The share-annotated tree as report nodes, at most MAX_TREE_NODES of them. */
export function reportTree(root: ShareNode, endpoints: EndpointLookup): BoundNode {
  let budget = MAX_TREE_NODES;
  const visit = (node: ShareNode): BoundNode => {
    budget--;
    const sharePercent = percent(node.share);
    const tree: BoundTree = node.tree;
    // Requests end at a node that yields no name only when nothing above it does either.
    const problem = sharePercent > 0 && (node.yields === 'neg' || node.yields === 'empty') ? { problem: `${DTAB_ERROR}${node.yields === 'neg' ? 'no dentry binds it' : 'it delegates to an empty set ($)'}` } : {};
    const children = (): BoundNode[] => {
      const out: BoundNode[] = [];
      for (let i = 0; i < node.children.length; i++) {
        if (budget <= 0) {
          const rest = node.children.slice(i);
          out.push({ kind: 'omitted', sharePercent: percent(rest.reduce((s, c) => s + c.share, 0)), branches: rest.length });
          break;
        }
        out.push(visit(node.children[i] as ShareNode));
      }
      return out;
    };
    switch (tree.kind) {
      case 'leaf': {
        const path = clip(pathToString(tree.value));
        const authority = boundToAuthority(tree.value);
        if (authority === undefined) return { kind: 'leaf', sharePercent, path, problem: `${DTAB_ERROR}not a name Loom can dial; use /#/loom.svc/<ns>/<port>/<svc> or /$/inet/<host>/<port>` };
        return { kind: 'leaf', sharePercent, path, authority, endpoints: endpointsOf(authority, endpoints) };
      }
      case 'alt':
        return { kind: 'alt', sharePercent, branches: children(), ...problem };
      case 'union':
        return { kind: 'union', sharePercent, members: children().map((n, i) => ({ weight: tree.members[i]?.weight ?? 0, node: n })), ...problem };
      case 'fail':
        return { kind: 'fail', sharePercent, reason: clip(tree.reason ?? 'the dtab says to fail (!)') };
      case 'neg':
      case 'empty':
        return { kind: tree.kind, sharePercent, ...problem };
    }
  };
  return visit(root);
}

/** An IP:port is dialed as is (concrete.ts); any other name's endpoints come from discovery. */
export function endpointsOf(authority: string, lookup: EndpointLookup): DiagnosedEndpoint[] {
  const colon = authority.lastIndexOf(':');
  const host = authority.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  if (colon > 0 && isIP(host) !== 0) return [{ addr: authority, labels: {} }];
  return lookup(authority).map(({ addr, labels }) => ({ addr, labels }));
}

/** Adds each leaf's (and each failure's) share of all requests to `out`, merged by authority or error. */
export function collectOutcomes(node: BoundNode, scale: number, out: Outcome[]): void {
  const add = (key: { authority: string; endpoints: number } | { error: string }, share: number): void => {
    if (!(share > 0)) return;
    const same = out.find((o) => ('authority' in key ? o.authority === key.authority : o.error === key.error));
    if (same) same.percent = percent((same.percent + share * 100) / 100);
    else out.push({ percent: percent(share), ...key });
  };
  const share = (node.sharePercent / 100) * scale;
  switch (node.kind) {
    case 'leaf':
      add(node.authority !== undefined ? { authority: node.authority, endpoints: node.endpoints?.length ?? 0 } : { error: node.problem ?? '' }, share);
      return;
    case 'alt':
    case 'union':
      if (node.problem !== undefined) add({ error: node.problem }, share);
      else for (const child of node.kind === 'alt' ? node.branches : node.members.map((m) => m.node)) collectOutcomes(child, scale, out);
      return;
    default:
      add({ error: node.kind === 'fail' ? `${DTAB_ERROR}${node.reason}` : node.kind === 'omitted' ? 'in the part of the tree left out of this report' : (node.problem ?? '') }, share);
  }
}

/** A fraction as a percentage, rounded so JSON shows 70 rather than 70.00000000000001. */
export function percent(fraction: number): number {
  const p = Math.round(fraction * 100 * 1e6) / 1e6;
  return Number.isFinite(p) ? p : 0;
}


/** Text from user input, cut short enough for a report line. */
export function clip(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}... (${text.length} characters)`;
}
