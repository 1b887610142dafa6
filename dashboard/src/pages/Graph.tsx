// The service graph of one namespace (or the whole mesh), live; a click on a workload drills into it.
import { useLive } from '../api/live.js';
import type { ServiceGraph, StatRow, Windowed } from '../api/types.js';
import { Banner } from '../components/Banner.js';
import { GraphView } from '../components/GraphView.js';
import { graphElements } from '../lib/graph-elements.js';
import { navigate, paths } from '../router.js';

export function Graph({ namespace }: { namespace?: string | undefined }) {
  const graph = useLive<Windowed & ServiceGraph>(`/api/graph?window=1m${namespace ? `&namespace=${encodeURIComponent(namespace)}` : ''}`);
  const namespaces = useLive<Windowed & { rows: StatRow[] }>('/api/stat?kind=namespace&window=1m');
  const elements = graph.data ? graphElements(graph.data, namespace) : [];
  return (
    <>
      <Banner connected={graph.connected} problem={graph.problem} />
      <div className="title-row">
        <h1>Service graph</h1>
        <label>
          Namespace{' '}
          <select value={namespace ?? ''} onChange={(e) => navigate(paths.graph(e.target.value || undefined))} data-testid="graph-namespace">
            <option value="">all</option>
            {(namespaces.data?.rows ?? []).map((r) => (
              <option key={r.name} value={r.name}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted legend">
        Edges: requests per second · success rate · p99 latency over the last minute, as the caller saw them. <span className="swatch good" /> healthy <span className="swatch warn" /> under 99.5% <span className="swatch bad" /> under 95% · dashed: not mTLS.
      </p>
      <section className="card graph-card">
        {graph.data && elements.length === 0 ? <p className="empty">No workloads yet.</p> : null}
        <GraphView elements={elements} onSelect={(ns, name) => navigate(paths.workload(ns, name))} />
      </section>
    </>
  );
}
