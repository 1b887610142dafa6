// A workload: its golden signals now and over time, its replicas, who calls it and whom it calls
// (with the identities that proved it), and its routes.
import { useLive } from '../api/live.js';
import type { Edge, RouteRow, StatRow, Windowed } from '../api/types.js';
import { Banner } from '../components/Banner.js';
import { Link } from '../components/Link.js';
import { OutLinks } from '../components/OutLinks.js';
import { SignalCards, SignalCharts, useSignalSeries } from '../components/Signals.js';
import { SortableTable, type Column } from '../components/SortableTable.js';
import { StatTable } from '../components/StatTable.js';
import { SuccessBadge } from '../components/SuccessBadge.js';
import { ms, rps } from '../lib/format.js';
import { paths } from '../router.js';
import { NotFound } from './NotFound.js';

type Rows<T> = Windowed & { rows: T };

export function Workload({ namespace, name }: { namespace: string; name: string }) {
  const ns = encodeURIComponent(namespace);
  const selfPath = `/api/stat?kind=workload&namespace=${ns}&name=${encodeURIComponent(name)}&window=1m`;
  const charts = useSignalSeries(selfPath);
  const self = useLive<Rows<StatRow[]>>(selfPath, (d) => charts.add(d.rows[0]));
  const pods = useLive<Rows<StatRow[]>>(`/api/stat?kind=pod&namespace=${ns}&window=1m`);
  const edges = useLive<Windowed & { edges: Edge[] }>(`/api/edges?namespace=${ns}&window=1m`);
  const routes = useLive<Rows<RouteRow[]>>(`/api/routes?kind=workload&namespace=${ns}&name=${encodeURIComponent(name)}&window=1m`);
  if (self.data && self.data.rows.length === 0) return <NotFound what={`workload ${name} in namespace ${namespace}`} />;
  const row = self.data?.rows[0];
  const all = edges.data?.edges ?? [];
  return (
    <>
      <Banner connected={self.connected} problem={self.problem} />
      <nav className="crumbs">
        <Link to="/">Overview</Link> / <Link to={paths.namespace(namespace)}>{namespace}</Link> / <span>{name}</span>
      </nav>
      <h1>
        Workload <span className="name">{name}</span>
      </h1>
      <p className="actions">
        <Link to={paths.live(namespace, `workload/${name}`)}>Live traffic (top and tap)</Link>
        <Link to={paths.graph(namespace)}>Service graph</Link>
        <Link to={paths.resources(namespace)}>Routes and dtabs</Link>
        <OutLinks namespace={namespace} workload={name} />
      </p>
      <SignalCards row={row} />
      <SignalCharts series={charts.series} version={charts.version} />
      <section className="card">
        <h2>Pods</h2>
        <StatTable rows={(pods.data?.rows ?? []).filter((p) => p.workload === name)} title="Pod" link={(r) => paths.pod(r.namespace, r.name)} testId="pods" />
      </section>
      <div className="two">
        <section className="card">
          <h2>Inbound: who calls it</h2>
          <EdgeTable edges={all.filter((e) => e.dst === name && e.dstNamespace === namespace)} peer="src" />
        </section>
        <section className="card">
          <h2>Outbound: whom it calls</h2>
          <EdgeTable edges={all.filter((e) => e.src === name && e.srcNamespace === namespace)} peer="dst" />
        </section>
      </div>
      <section className="card">
        <h2>Routes</h2>
        <RouteTable rows={routes.data?.rows ?? []} />
      </section>
    </>
  );
}

function EdgeTable({ edges, peer }: { edges: readonly Edge[]; peer: 'src' | 'dst' }) {
  const columns: Column<Edge>[] = [
    { key: 'peer', title: peer === 'src' ? 'From' : 'To', value: (e) => e[peer], render: (e) => <Link to={paths.workload(peer === 'src' ? e.srcNamespace : e.dstNamespace, e[peer])}>{e[peer]}</Link> },
    { key: 'secured', title: 'mTLS', value: (e) => (e.secured ? 1 : 0), render: (e) => (e.secured ? <span className="badge good">✓ secured</span> : <span className="badge warn">{e.notSecuredReason ?? 'plaintext'}</span>) },
    { key: 'identity', title: peer === 'src' ? 'Client identity' : 'Server identity', value: (e) => (peer === 'src' ? e.clientId : e.serverId), render: (e) => <code className="identity">{(peer === 'src' ? e.clientId : e.serverId) ?? '-'}</code> },
    { key: 'requests', title: 'Requests (1m)', value: (e) => e.requests, numeric: true },
  ];
  return <SortableTable columns={columns} rows={edges} rowKey={(e) => `${e.srcNamespace}/${e.src}>${e.dstNamespace}/${e.dst}`} empty="none in the last minute" />;
}

function RouteTable({ rows }: { rows: readonly RouteRow[] }) {
  const columns: Column<RouteRow>[] = [
    { key: 'route', title: 'Route', value: (r) => r.route },
    { key: 'service', title: 'Service', value: (r) => r.authority },
    { key: 'success', title: 'Success', value: (r) => r.successRate, render: (r) => <SuccessBadge rate={r.successRate} />, numeric: true, firstDescending: false },
    { key: 'rps', title: 'RPS', value: (r) => r.rps, render: (r) => rps(r.rps), numeric: true },
    { key: 'p99', title: 'P99', value: (r) => r.latencyMs?.p99, render: (r) => ms(r.latencyMs?.p99), numeric: true },
  ];
  return <SortableTable columns={columns} rows={rows} rowKey={(r) => `${r.authority} ${r.route}`} empty="no requests served in the last minute" />;
}
