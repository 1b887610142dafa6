// Links out to the user's own Prometheus and Grafana, when the control plane was told where they are
// (--prometheus-url, --grafana-url): Prometheus' graph page with the very queries the metrics API
// asks it, and the Grafana dashboards shipped in grafana/ (by their fixed uids), on the same resource.
import { statQueries } from '../../../src/control/metrics-api/promql.js';
import { trafficSelector } from '../../../src/control/metrics-api/stat-query.js';

const WINDOW_MS = 60_000;

/** Success rate and requests per second of a namespace or workload, as `loom stat` computes them. */
export function signalQueries(namespace: string, workload?: string): { successRate: string; rps: string } {
  const stat = workload === undefined ? { kind: 'namespace' as const, namespace } : { kind: 'workload' as const, namespace, name: workload };
  const q = statQueries(trafficSelector({ ...stat, windowMs: WINDOW_MS }), WINDOW_MS);
  return { successRate: `${q.successes} / ${q.requests}`, rps: `${q.requests} / ${WINDOW_MS / 1000}` };
}

/** Prometheus' graph page with one panel per expression, over the last hour. */
export function prometheusGraph(base: string, expressions: readonly string[]): string {
  const params = new URLSearchParams();
  expressions.forEach((expr, i) => {
    params.set(`g${i}.expr`, expr);
    params.set(`g${i}.tab`, '0');
    params.set(`g${i}.range_input`, '1h');
  });
  return `${trimSlash(base)}/graph?${params.toString()}`;
}

/** The workload dashboard (grafana/workload.json) for one workload, else the top line (top-line.json), of a namespace if given. */
export function grafanaDashboard(base: string, namespace?: string, workload?: string): string {
  const params = new URLSearchParams({ ...(namespace === undefined ? {} : { 'var-namespace': namespace }), ...(workload === undefined ? {} : { 'var-workload': workload }) });
  const query = params.size > 0 ? `?${params.toString()}` : '';
  return `${trimSlash(base)}/d/${workload === undefined ? 'loom-top-line' : 'loom-workload'}${query}`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
