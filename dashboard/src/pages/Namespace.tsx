// A namespace: its golden signals now and over time, its workloads with theirs, and the way to its
// graph, routes and live traffic.
import { useLive } from '../api/live.js';
import type { StatRow, Windowed } from '../api/types.js';
import { Banner } from '../components/Banner.js';
import { Link } from '../components/Link.js';
import { OutLinks } from '../components/OutLinks.js';
import { SignalCards, SignalCharts, useSignalSeries } from '../components/Signals.js';
import { StatTable } from '../components/StatTable.js';
import { paths } from '../router.js';
import { NotFound } from './NotFound.js';

export function Namespace({ namespace }: { namespace: string }) {
  const selfPath = `/api/stat?kind=namespace&name=${encodeURIComponent(namespace)}&window=1m`;
  const charts = useSignalSeries(selfPath);
  const self = useLive<Windowed & { rows: StatRow[] }>(selfPath, (d) => charts.add(d.rows[0]));
  const stat = useLive<Windowed & { rows: StatRow[] }>(`/api/stat?kind=workload&namespace=${encodeURIComponent(namespace)}&window=1m`);
  if (stat.data && stat.data.rows.length === 0) return <NotFound what={`namespace ${namespace}`} />;
  return (
    <>
      <Banner connected={stat.connected} problem={stat.problem} />
      <nav className="crumbs">
        <Link to="/">Overview</Link> / <span>{namespace}</span>
      </nav>
      <h1>
        Namespace <span className="name">{namespace}</span>
      </h1>
      <p className="actions">
        <Link to={paths.graph(namespace)}>Service graph</Link>
        <Link to={paths.resources(namespace)}>Routes and dtabs</Link>
        <OutLinks namespace={namespace} />
      </p>
      <SignalCards row={self.data?.rows[0]} />
      <SignalCharts series={charts.series} version={charts.version} />
      <section className="card">
        <h2>Workloads</h2>
        <StatTable rows={stat.data?.rows ?? []} title="Workload" link={(r) => paths.workload(r.namespace, r.name)} testId="workloads" />
      </section>
    </>
  );
}
