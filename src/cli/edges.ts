// `loom edges deploy`: which workloads called which over a window, and the identities each edge's
// ends proved over mTLS ("secured"), or why not.
import type { Edge } from '../control/metrics-api/edges.js';
import { parseWindow } from '../control/metrics-api/stat-params.js';
import type { CliIO } from './io.js';
import { metricsApiGet } from './metrics-client.js';
import { formatTable } from './table.js';

export interface EdgesOptions {
  kind: string;
  namespace: string;
  allNamespaces: boolean;
  window: string;
  output: string;
  stateDir: string;
}

export async function runEdges(opts: EdgesOptions, io: CliIO): Promise<number> {
  if (!['deploy', 'deployment', 'deployments', 'workload', 'workloads'].includes(opts.kind.toLowerCase())) {
    io.err(`loom edges: unknown kind "${opts.kind}"; edges are between workloads: \`loom edges deploy -n emojivoto\`\n`);
    return 2;
  }
  if (opts.output !== 'table' && opts.output !== 'json') {
    io.err(`loom edges: unknown output "${opts.output}"; supported: table, json\n`);
    return 2;
  }
  if (parseWindow(opts.window) === undefined) {
    io.err(`loom edges: "${opts.window}" is not a window; write e.g. 30s, 1m or 1h\n`);
    return 2;
  }
  const query = new URLSearchParams({ window: opts.window, ...(opts.allNamespaces ? {} : { namespace: opts.namespace }) });
  const body = await metricsApiGet<{ edges: Edge[] }>(opts.stateDir, io, 'edges', `/api/edges?${query}`);
  if (typeof body === 'number') return body;
  if (opts.output === 'json') {
    io.out(`${JSON.stringify(body.edges, null, 2)}\n`);
    return 0;
  }
  if (body.edges.length === 0) {
    io.out(`No edges: no workload${opts.allNamespaces ? '' : ` in namespace ${opts.namespace}`} called another in the last ${opts.window}\n`);
    return 0;
  }
  const rows = [
    ['SRC', 'DST', 'SRC_NS', 'DST_NS', 'SECURED', 'CLIENT_ID', 'SERVER_ID'],
    ...body.edges.map((e) => [e.src, e.dst, e.srcNamespace, e.dstNamespace, e.secured ? '√' : `× ${e.notSecuredReason ?? ''}`, e.clientId ?? '-', e.serverId ?? '-']),
  ];
  io.out(formatTable(rows));
  return 0;
}
