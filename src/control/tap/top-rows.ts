// `top`'s numbers, shared by `loom top` and the dashboard: tap lines summed per (source, destination,
// method, path) — how many requests ended, how fast and how well. Pure, so a browser can run it.
import type { TapEndpoint, TapLine } from './tap-line.js';

export interface PathStats {
  source: string;
  destination: string;
  method: string;
  path: string;
  count: number;
  successes: number;
  best: number;
  worst: number;
  last: number;
}

/** Rows kept at most; the quietest go first when a mesh has more paths than this. */
const MAX_ROWS = 5000;

export class TopRows {
  private readonly byKey = new Map<string, PathStats>();

  add(l: TapLine): void {
    if (l.type !== 'end') return;
    const source = endpointName(l.source);
    const destination = endpointName(l.destination);
    const key = `${source}\0${destination}\0${l.method}\0${l.path}`;
    const latency = l.latencyMs ?? 0;
    let row = this.byKey.get(key);
    if (row === undefined) {
      if (this.byKey.size >= MAX_ROWS) this.dropQuietest();
      row = { source, destination, method: l.method, path: l.path, count: 0, successes: 0, best: Infinity, worst: 0, last: 0 };
      this.byKey.set(key, row);
    }
    row.count++;
    if (succeeded(l)) row.successes++;
    row.best = Math.min(row.best, latency);
    row.worst = Math.max(row.worst, latency);
    row.last = latency;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The busiest first. */
  busiest(limit: number): PathStats[] {
    return [...this.byKey.values()].sort((a, b) => b.count - a.count || a.path.localeCompare(b.path)).slice(0, limit);
  }

  private dropQuietest(): void {
    let quietest: [string, PathStats] | undefined;
    for (const entry of this.byKey) if (quietest === undefined || entry[1].count < quietest[1].count) quietest = entry;
    if (quietest) this.byKey.delete(quietest[0]);
  }
}

/** Linkerd's classification: a 5xx, a gRPC error or a proxy error is a failure. */
export function succeeded(l: TapLine): boolean {
  return (l.status ?? 0) < 500 && (l.grpcStatus === undefined || l.grpcStatus === 0) && l.error === undefined;
}

/** How tap and top name an end: its pod, else its workload, else its address. */
export function endpointName(e: TapEndpoint): string {
  if (e.pod) return `pod/${e.pod}`;
  if (e.workload) return `deploy/${e.workload}`;
  return e.address || '-';
}
