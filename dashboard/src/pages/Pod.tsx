// One replica: its golden signals now and over time, and its live traffic.
import { useLive } from '../api/live.js';
import type { StatRow, Windowed } from '../api/types.js';
import { Banner } from '../components/Banner.js';
import { Link } from '../components/Link.js';
import { SignalCards, SignalCharts, useSignalSeries } from '../components/Signals.js';
import { paths } from '../router.js';
import { NotFound } from './NotFound.js';

export function Pod({ namespace, name }: { namespace: string; name: string }) {
  const selfPath = `/api/stat?kind=pod&namespace=${encodeURIComponent(namespace)}&name=${encodeURIComponent(name)}&window=1m`;
  const charts = useSignalSeries(selfPath);
  const self = useLive<Windowed & { rows: StatRow[] }>(selfPath, (d) => charts.add(d.rows[0]));
  if (self.data && self.data.rows.length === 0) return <NotFound what={`pod ${name} in namespace ${namespace}`} />;
  const row = self.data?.rows[0];
  return (
    <>
      <Banner connected={self.connected} problem={self.problem} />
      <nav className="crumbs">
        <Link to="/">Overview</Link> / <Link to={paths.namespace(namespace)}>{namespace}</Link> / {row?.workload ? <Link to={paths.workload(namespace, row.workload)}>{row.workload}</Link> : null} / <span>{name}</span>
      </nav>
      <h1>
        Pod <span className="name">{name}</span>
      </h1>
      <p className="actions">
        <Link to={paths.live(namespace, `pod/${name}`)}>Live traffic (top and tap)</Link>
      </p>
      <SignalCards row={row} />
      <SignalCharts series={charts.series} version={charts.version} />
    </>
  );
}
