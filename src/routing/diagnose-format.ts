// `loom diagnose` as text: the delegator's view of a Diagnosis, indented by depth.
import { weightToString } from './dtab/index.js';
import type { BoundNode, DentryLine, Diagnosis, RouteReport, TraceLine } from './diagnose.js';
import type { HeaderEdit } from './route-plan.js';

export function formatDiagnosis(d: Diagnosis): string {
  const lines: string[] = [`${d.request.method} ${d.request.path} to ${d.name}${d.dtabPath ? ` (${d.dtabPath})` : ''}`];
  for (const [k, v] of Object.entries(d.request.headers)) lines.push(`  ${k}: ${v}`);
  for (const p of d.problems) lines.push(`problem: ${p}`);
  const r = d.route;
  if (!r.matched) lines.push(`route: none; ${r.answer}`);
  else {
    lines.push(`route: ${r.name} (${r.source === 'routes' ? 'an HTTPRoute or GRPCRoute rule' : r.source === 'profile' ? 'the ServiceProfile' : 'no routes or profile: the default route'})`);
    lines.push(...routeSettings(r).map((s) => `  ${s}`));
  }
  for (const b of d.backends) {
    lines.push(`backend ${b.authority}  weight ${b.weight} (${pct(b.sharePercent)} of requests)`);
    if (b.dtabPath !== undefined) {
      lines.push('  dtab:', ...b.dtab.map((l) => `    #${l.index} ${l.dentry}  (${l.source})`));
      lines.push(`  delegation of ${b.dtabPath}:`, ...b.trace.map((t) => `    ${'  '.repeat(t.depth)}${traceText(t, b.dtab)}`));
      if (b.omittedSteps > 0) lines.push(`    (${b.omittedSteps} more steps left out)`);
    }
    lines.push('  bound:');
    treeLines(b.tree, 2, '', lines);
  }
  lines.push('outcome:', ...d.outcomes.map((o) => `  ${pct(o.percent).padStart(8)}  ${o.authority !== undefined ? `${o.authority} (${o.endpoints ?? 0} endpoint${o.endpoints === 1 ? '' : 's'})` : o.error}`));
  return `${lines.join('\n')}\n`;
}

function routeSettings(r: Extract<RouteReport, { matched: true }>): string[] {
  const out: string[] = [];
  if (r.redirect) out.push(`redirect: answers ${r.redirect.statusCode} with Location ${r.redirect.location}; no backend is asked`);
  const perAttempt = r.attemptTimeoutMs !== undefined ? `, ${r.attemptTimeoutMs}ms per attempt` : '';
  if (r.timeoutMs !== undefined || perAttempt) out.push(`timeout: ${r.timeoutMs !== undefined ? `${r.timeoutMs}ms in all` : 'none in all'}${perAttempt}`);
  const budget = `budget ${Math.round(r.retryBudget.retryRatio * 100)}% of requests + ${r.retryBudget.minRetriesPerSecond}/s`;
  out.push(r.retry ? `retries: up to ${r.retry.maxRetries}, ${r.retry.backoffMs > 0 ? `backoff ${r.retry.backoffMs}ms` : "the proxy's default backoff"}, ${budget}` : 'retries: none');
  if (r.fault?.abort) out.push(`fault: aborts ${pct(r.fault.abort.percent)} of requests with ${r.fault.abort.status}`);
  if (r.fault?.delay) out.push(`fault: delays ${pct(r.fault.delay.percent)} of requests by ${r.fault.delay.ms}ms`);
  if (r.requestHeaders) out.push(`request headers: ${editText(r.requestHeaders)}`);
  if (r.responseHeaders) out.push(`response headers: ${editText(r.responseHeaders)}`);
  return out;
}

function editText(e: HeaderEdit): string {
  const parts = [...e.set.map(([k, v]) => `set ${k}: ${v}`), ...e.add.map(([k, v]) => `add ${k}: ${v}`), ...e.remove.map((k) => `remove ${k}`)];
  return parts.length === 0 ? 'unchanged' : parts.join('; ');
}

function traceText(t: TraceLine, dtab: readonly DentryLine[]): string {
  switch (t.kind) {
    case 'match':
      return `${t.path}: dentry #${t.dentryIndex ?? '?'} ${dtab.find((l) => l.index === t.dentryIndex)?.dentry ?? ''} rewrites to ${t.rewrite ?? '?'} => ${t.result ?? '?'}`;
    case 'bound':
      return `${t.path}: bound name`;
    case 'neg':
      return `${t.path}: no dentry matches (neg)`;
    case 'fail':
      return `${t.path}: failed: ${t.reason ?? ''}`;
  }
}

function treeLines(node: BoundNode, depth: number, label: string, out: string[]): void {
  const lead = `${'  '.repeat(depth)}${pct(node.sharePercent).padStart(8)}  ${label}`;
  const pad = `${'  '.repeat(depth + 1)}${' '.repeat(10)}`;
  switch (node.kind) {
    case 'leaf':
      if (node.authority === undefined) {
        out.push(`${lead}${node.path ?? ''}  ${node.problem ?? ''}`);
        return;
      }
      out.push(`${lead}${node.path !== undefined ? `${node.path} -> ` : ''}${node.authority}${node.problem ? `  (${node.problem})` : ''}${node.sharePercent > 0 ? '' : '  (not reached)'}`);
      if (node.sharePercent === 0) return;
      if (!node.endpoints || node.endpoints.length === 0) out.push(`${pad}no endpoints: requests wait for one, then fail`);
      else for (const e of node.endpoints) out.push(`${pad}${e.addr}${labelsText(e.labels)}`);
      return;
    case 'alt':
      out.push(`${lead}alternation: the first branch that binds${node.problem ? `; none does: ${node.problem}` : ''}`);
      for (const b of node.branches) treeLines(b, depth + 1, '', out);
      return;
    case 'union':
      out.push(`${lead}union: by weight${node.problem ? `; no member binds: ${node.problem}` : ''}`);
      for (const m of node.members) treeLines(m.node, depth + 1, `${weightToString(m.weight)} * `, out);
      return;
    case 'fail':
      out.push(`${lead}! ${node.reason}`);
      return;
    case 'neg':
    case 'empty':
      out.push(`${lead}${node.kind === 'neg' ? '~' : '$'} ${node.problem ?? 'no name here; the next branch is tried'}`);
      return;
    case 'omitted':
      out.push(`${lead}(${node.branches} more branches left out)`);
  }
}

const labelsText = (labels: Readonly<Record<string, string>>): string => Object.entries(labels).map(([k, v], i) => `${i === 0 ? '  ' : ','}${k}=${v}`).join('');
const pct = (p: number): string => `${Number.isInteger(p) ? p : p.toFixed(2)}%`;
