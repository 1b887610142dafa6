// `loom routes deploy/<name> [--to svc/<name>]`: success, RPS and latency per route, from the
// control plane's metrics API, in Linkerd's columns. Without --to, the routes of what the workload
// serves ([DEFAULT] per authority where clients report no routes); with --to, the routes its own
// calls to that service took. `-o wide` splits success and RPS into effective (as callers saw them,
// after retries) and actual (every attempt).
import type { RouteRow } from '../control/metrics-api/routes.js';
import { parseWindow } from '../control/metrics-api/stat-params.js';
import type { CliIO } from './io.js';
import { metricsApiGet } from './metrics-client.js';
import { kindNamed } from './resource-kinds.js';
import { latency, rpsText, successText } from './stat-table.js';
import { formatTable } from './table.js';

export interface RoutesOptions {
  target: string;
  namespace: string;
  /** `svc/<name>`: only the routes the target's own calls to that service took. */
  to?: string;
  /** The namespace of --to; the target's by default. */
  toNamespace?: string;
  window: string;
  output: string;
  stateDir: string;
}

const OUTPUTS = ['table', 'wide', 'json'];

export async function runRoutes(opts: RoutesOptions, io: CliIO): Promise<number> {
  const [kindText = '', name = '', ...rest] = opts.target.split('/');
  const kind = kindNamed(kindText, ['workload', 'pod'] as const);
  if (kind === undefined || name === '' || rest.length > 0) {
    io.err(`loom routes: "${opts.target}" is not a workload or pod; write deploy/<name> or pod/<name>, e.g. \`loom routes deploy/web -n emojivoto\`\n`);
    return 2;
  }
  const [toKind = '', toName = '', ...toRest] = opts.to?.split('/') ?? [];
  if (opts.to !== undefined && (kindNamed(toKind, ['service'] as const) === undefined || toName === '' || toRest.length > 0)) {
    io.err(`loom routes: --to "${opts.to}" is not a service; routes are measured toward a service: write --to svc/<name>\n`);
    return 2;
  }
  if (!OUTPUTS.includes(opts.output)) {
    io.err(`loom routes: unknown output "${opts.output}"; supported: ${OUTPUTS.join(', ')}\n`);
    return 2;
  }
  if (parseWindow(opts.window) === undefined) {
    io.err(`loom routes: "${opts.window}" is not a window; write e.g. 30s, 1m or 1h\n`);
    return 2;
  }
  const query = new URLSearchParams({ kind, namespace: opts.namespace, name, window: opts.window });
  if (opts.to !== undefined) query.set('to', `service/${toName}`);
  if (opts.to !== undefined && opts.toNamespace !== undefined) query.set('toNamespace', opts.toNamespace);
  const body = await metricsApiGet<{ rows: RouteRow[] }>(opts.stateDir, io, 'routes', `/api/routes?${query}`);
  if (typeof body === 'number') return body;
  if (opts.output === 'json') {
    io.out(`${JSON.stringify(body.rows, null, 2)}\n`);
    return 0;
  }
  if (body.rows.length === 0) {
    const what = opts.to === undefined ? `to ${kindText}/${name}` : `from ${kindText}/${name} to svc/${toName}`;
    io.out(`(no requests ${what} in the last ${opts.window})\n`);
    return 0;
  }
  io.out(formatRoutesTable(body.rows, { wide: opts.output === 'wide' }));
  return 0;
}

/** Linkerd's columns: wide replaces SUCCESS and RPS with their effective and actual halves. */
export function formatRoutesTable(rows: readonly RouteRow[], opts: { wide: boolean }): string {
  const header = ['ROUTE', 'SERVICE', ...(opts.wide ? ['EFFECTIVE_SUCCESS', 'EFFECTIVE_RPS', 'ACTUAL_SUCCESS', 'ACTUAL_RPS'] : ['SUCCESS', 'RPS']), 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99'];
  const lines = rows.map((r) => [
    r.route,
    r.authority,
    successText(r.successRate),
    rpsText(r.rps),
    ...(opts.wide ? [successText(r.actual?.successRate), rpsText(r.actual?.rps)] : []),
    latency(r.latencyMs?.p50),
    latency(r.latencyMs?.p95),
    latency(r.latencyMs?.p99),
  ]);
  return formatTable([header, ...lines]);
}
