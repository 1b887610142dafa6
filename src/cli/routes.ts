// `loom routes deploy/<name>`: success, RPS and latency per route of a workload (or pod), from the
// control plane's metrics API. Until routes are declared every request takes its authority's
// [DEFAULT] route.
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
  window: string;
  output: string;
  stateDir: string;
}

export async function runRoutes(opts: RoutesOptions, io: CliIO): Promise<number> {
  const [kindText = '', name = '', ...rest] = opts.target.split('/');
  const kind = kindNamed(kindText, ['workload', 'pod'] as const);
  if (kind === undefined || name === '' || rest.length > 0) {
    io.err(`loom routes: "${opts.target}" is not a workload or pod; write deploy/<name> or pod/<name>, e.g. \`loom routes deploy/web -n emojivoto\`\n`);
    return 2;
  }
  if (!['table', 'json'].includes(opts.output)) {
    io.err(`loom routes: unknown output "${opts.output}"; supported: table, json\n`);
    return 2;
  }
  if (parseWindow(opts.window) === undefined) {
    io.err(`loom routes: "${opts.window}" is not a window; write e.g. 30s, 1m or 1h\n`);
    return 2;
  }
  const query = new URLSearchParams({ kind, namespace: opts.namespace, name, window: opts.window });
  const body = await metricsApiGet<{ rows: RouteRow[] }>(opts.stateDir, io, 'routes', `/api/routes?${query}`);
  if (typeof body === 'number') return body;
  if (opts.output === 'json') {
    io.out(`${JSON.stringify(body.rows, null, 2)}\n`);
    return 0;
  }
  if (body.rows.length === 0) {
    io.out(`(no requests to ${kindText}/${name} in the last ${opts.window})\n`);
    return 0;
  }
  io.out(
    formatTable([
      ['ROUTE', 'AUTHORITY', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99'],
      ...body.rows.map((r) => [r.route, r.authority, successText(r.successRate), rpsText(r.rps), latency(r.latencyMs?.p50), latency(r.latencyMs?.p95), latency(r.latencyMs?.p99)]),
    ]),
  );
  return 0;
}
