// `loom stat <kind>[/<name>] [--to|--from <kind>/<name>]`: golden signals per namespace, workload,
// pod or service over a window, from the control plane's metrics API (its own scrapes or Prometheus).
import type { StatRow } from '../control/metrics-api/stat.js';
import { STAT_KINDS, type StatKind } from '../control/metrics-api/stat-query.js';
import { parseWindow } from '../control/metrics-api/stat-params.js';
import type { CliIO } from './io.js';
import { metricsApiGet } from './metrics-client.js';
import { kindNamed } from './resource-kinds.js';
import { formatStatTable } from './stat-table.js';

export interface StatOptions {
  target: string;
  namespace: string;
  allNamespaces: boolean;
  window: string;
  output: string;
  stateDir: string;
  /** Only traffic the resources sent to this `<kind>/<name>`. */
  to?: string;
  /** Only traffic the resources received from this `<kind>/<name>`. */
  from?: string;
  /** The --to/--from resource's namespace; -n's by default. */
  toNamespace?: string;
  fromNamespace?: string;
}

const KIND_HELP = 'use ns, deploy (workload), pod or svc';

class StatUsageError extends Error {}

export async function runStat(opts: StatOptions, io: CliIO): Promise<number> {
  let query: URLSearchParams;
  let kindText: string;
  let kind: StatKind;
  let name: string | undefined;
  let namespace: string | undefined;
  try {
    [kindText = '', name] = opts.target.split('/', 2);
    kind = kindOf(kindText, `unknown kind "${kindText}"; ${KIND_HELP}, e.g. \`loom stat deploy -n emojivoto\``);
    if (!['table', 'wide', 'json'].includes(opts.output)) throw new StatUsageError(`unknown output "${opts.output}"; supported: table, wide, json`);
    if (parseWindow(opts.window) === undefined) throw new StatUsageError(`"${opts.window}" is not a window; write e.g. 30s, 1m or 1h`);
    if (opts.to !== undefined && opts.from !== undefined) throw new StatUsageError('--to and --from cannot be combined; ask for one direction at a time');
    namespace = kind === 'namespace' || opts.allNamespaces ? undefined : opts.namespace;
    query = new URLSearchParams({ kind, window: opts.window, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) });
    if (opts.to !== undefined) addRef(query, 'to', opts.to, opts.toNamespace ?? opts.namespace);
    if (opts.from !== undefined) addRef(query, 'from', opts.from, opts.fromNamespace ?? opts.namespace);
  } catch (err) {
    if (!(err instanceof StatUsageError)) throw err;
    io.err(`loom stat: ${err.message}\n`);
    return 2;
  }
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
  if (rows.every((r) => r.requests === 0) && opts.output !== 'json') {
    const direction = opts.to !== undefined ? ` to ${opts.to}` : opts.from !== undefined ? ` from ${opts.from}` : '';
    io.out(`(no requests${direction} in the last ${opts.window})\n`);
  }
  return 0;
}

function kindOf(text: string, message: string): StatKind {
  const kind = kindNamed(text, STAT_KINDS);
  if (kind === undefined) throw new StatUsageError(message);
  return kind;
}

/** `--to deploy/voting` as to=workload/voting&toNamespace=...; a namespace is named by itself. */
function addRef(query: URLSearchParams, flag: 'to' | 'from', text: string, namespace: string): void {
  const [kindText = '', name] = text.split('/', 2);
  const kind = kindOf(kindText, `--${flag} "${text}": unknown kind "${kindText}"; ${KIND_HELP}, e.g. --${flag} deploy/web`);
  if (flag === 'from' && kind === 'service') throw new StatUsageError('--from: a service sends no traffic; name the namespace, deployment or pod that calls it (e.g. --from deploy/web)');
  if (kind === 'namespace' && !name) throw new StatUsageError(`--${flag}: name the namespace, e.g. --${flag} ns/emojivoto`);
  query.set(flag, `${kind}${name ? `/${name}` : ''}`);
  if (kind !== 'namespace') query.set(`${flag}Namespace`, namespace);
}
