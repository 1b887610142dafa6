// `loom stat <kind>[/<name>]`: golden signals per namespace, workload or pod over a window, from
// the control plane's metrics API (which scrapes every proxy).
import type { StatKind, StatRow } from '../control/metrics-api/stat.js';
import { parseWindow } from '../control/metrics-api/metrics-api.js';
import type { CliIO } from './io.js';
import { metricsApiGet } from './metrics-client.js';
import { formatStatTable } from './stat-table.js';

export interface StatOptions {
  target: string;
  namespace: string;
  allNamespaces: boolean;
  window: string;
  output: string;
  stateDir: string;
}

const KINDS: Record<string, StatKind> = {
  ns: 'namespace', namespace: 'namespace', namespaces: 'namespace',
  deploy: 'workload', deployment: 'workload', deployments: 'workload', workload: 'workload', workloads: 'workload',
  po: 'pod', pod: 'pod', pods: 'pod',
};

export async function runStat(opts: StatOptions, io: CliIO): Promise<number> {
  const [kindText = '', name] = opts.target.split('/', 2);
  const kind = KINDS[kindText.toLowerCase()];
  if (kind === undefined) {
    io.err(`loom stat: unknown kind "${kindText}"; use ns, deploy (workload) or pod, e.g. \`loom stat deploy -n emojivoto\`\n`);
    return 2;
  }
  if (!['table', 'wide', 'json'].includes(opts.output)) {
    io.err(`loom stat: unknown output "${opts.output}"; supported: table, wide, json\n`);
    return 2;
  }
  if (parseWindow(opts.window) === undefined) {
    io.err(`loom stat: "${opts.window}" is not a window; write e.g. 30s, 1m or 1h\n`);
    return 2;
  }
  const namespace = kind === 'namespace' || opts.allNamespaces ? undefined : opts.namespace;
  const query = new URLSearchParams({ kind, window: opts.window, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) });
  const body = await metricsApiGet<{ rows: StatRow[] }>(opts.stateDir, io, 'stat', `/api/stat?${query}`);
  if (typeof body === 'number') return body;
  const rows = body.rows;
  if (rows.length === 0) {
    const where = namespace ? ` in namespace ${namespace}` : '';
    io.err(`loom stat: no ${kindText}${name ? `/${name}` : ''}${where}; \`loom get workloads\` lists what runs (-A for every namespace)\n`);
    return 1;
  }
  if (opts.output === 'json') io.out(`${JSON.stringify(rows, null, 2)}\n`);
  else io.out(formatStatTable(rows, { wide: opts.output === 'wide', allNamespaces: namespace === undefined && kind !== 'namespace' }));
  if (rows.every((r) => r.requests === 0) && opts.output !== 'json') io.out(`(no requests in the last ${opts.window})\n`);
  return 0;
}
