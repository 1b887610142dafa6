// Golden signals per resource (namespace, workload or pod): the CLI's `loom stat` as a sortable table.
import type { StatRow } from '../api/types.js';
import { ms, rps, successHealth } from '../lib/format.js';
import { Link } from './Link.js';
import { SortableTable, type Column } from './SortableTable.js';
import { SuccessBadge } from './SuccessBadge.js';

export function StatTable({ rows, link, title, testId }: { rows: readonly StatRow[]; link: (row: StatRow) => string; title: string; testId?: string }) {
  const columns: Column<StatRow>[] = [
    { key: 'name', title, value: (r) => r.name, render: (r) => <Link to={link(r)}>{r.name}</Link> },
    { key: 'meshed', title: 'Meshed', value: (r) => r.meshed.up, render: (r) => `${r.meshed.up}/${r.meshed.total}`, numeric: true },
    { key: 'success', title: 'Success', value: (r) => r.successRate, render: (r) => <SuccessBadge rate={r.successRate} />, numeric: true, firstDescending: false },
    { key: 'rps', title: 'RPS', value: (r) => r.rps, render: (r) => rps(r.rps), numeric: true },
    { key: 'p50', title: 'P50', value: (r) => r.latencyMs?.p50, render: (r) => ms(r.latencyMs?.p50), numeric: true },
    { key: 'p95', title: 'P95', value: (r) => r.latencyMs?.p95, render: (r) => ms(r.latencyMs?.p95), numeric: true },
    { key: 'p99', title: 'P99', value: (r) => r.latencyMs?.p99, render: (r) => ms(r.latencyMs?.p99), numeric: true },
    { key: 'tcp', title: 'TCP', value: (r) => r.tcpConnections, render: (r) => (r.tcpConnections === undefined ? '-' : String(r.tcpConnections)), numeric: true },
  ];
  return <SortableTable columns={columns} rows={rows} rowKey={(r) => `${r.namespace}/${r.name}`} rowClass={(r) => (successHealth(r.successRate) === 'bad' ? 'failing' : undefined)} testId={testId} empty="no resources yet" />;
}
