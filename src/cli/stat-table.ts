// How `loom stat` prints rows: Linkerd's columns, "-" where there is no data (never a made-up zero).
import type { StatRow } from '../control/metrics-api/stat.js';
import { formatTable } from './table.js';

const dash = '-';

export function formatStatTable(rows: readonly StatRow[], opts: { wide: boolean; allNamespaces: boolean }): string {
  const header = [
    ...(opts.allNamespaces ? ['NAMESPACE'] : []),
    'NAME', 'MESHED', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99', 'TCP_CONN',
    ...(opts.wide ? ['READ_BYTES/SEC', 'WRITE_BYTES/SEC'] : []),
  ];
  const lines = rows.map((r) => [
    ...(opts.allNamespaces ? [r.namespace] : []),
    r.name,
    `${r.meshed.up}/${r.meshed.total}`,
    successText(r.successRate),
    rpsText(r.rps),
    latency(r.latencyMs?.p50),
    latency(r.latencyMs?.p95),
    latency(r.latencyMs?.p99),
    r.tcpConnections === undefined ? dash : String(r.tcpConnections),
    ...(opts.wide ? [bytes(r.readBytesPerSec), bytes(r.writeBytesPerSec)] : []),
  ]);
  return formatTable([header, ...lines]);
}

export function successText(rate: number | undefined): string {
  return rate === undefined ? dash : `${(rate * 100).toFixed(2)}%`;
}

export function rpsText(rps: number | undefined): string {
  return rps === undefined ? dash : `${rps.toFixed(1)}rps`;
}

export function latency(ms: number | undefined): string {
  if (ms === undefined) return dash;
  return ms >= 10 ? `${Math.round(ms)}ms` : `${ms.toFixed(1)}ms`;
}

function bytes(perSec: number | undefined): string {
  if (perSec === undefined) return dash;
  return perSec >= 1024 * 1024 ? `${(perSec / 1024 / 1024).toFixed(1)}MiB/s` : perSec >= 1024 ? `${(perSec / 1024).toFixed(1)}KiB/s` : `${perSec.toFixed(1)}B/s`;
}
