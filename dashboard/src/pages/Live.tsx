// Live traffic of one workload or pod: top (the busiest paths, refreshing) and tap (each request as
// it happens), from one tap stream through the control plane, with method and path filters.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useLive } from '../api/live.js';
import { followTap } from '../api/tap.js';
import type { StatRow, TapLine, Windowed } from '../api/types.js';
import { SortableTable, type Column } from '../components/SortableTable.js';
import { SuccessBadge } from '../components/SuccessBadge.js';
import { ms } from '../lib/format.js';
import { navigate, paths } from '../router.js';
import { endpointName, succeeded, TopRows, type PathStats } from '../../../src/control/tap/top-rows.js';

const TAP_LINES = 200;

export function Live({ namespace, resource }: { namespace?: string | undefined; resource?: string | undefined }) {
  const workloads = useLive<Windowed & { rows: StatRow[] }>('/api/stat?kind=workload&window=1m');
  const [filter, setFilter] = useState({ method: '', path: '' });
  const [lines, setLines] = useState<TapLine[]>([]);
  const [top, setTop] = useState<PathStats[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [status, setStatus] = useState<'idle' | 'watching' | 'stopped'>('idle');
  const rows = useRef(new TopRows());
  useEffect(() => {
    if (!namespace || !resource) return;
    const abort = new AbortController();
    rows.current = new TopRows();
    setLines([]);
    setTop([]);
    setError(undefined);
    setStatus('watching');
    const pending: TapLine[] = [];
    // Renders at most a few times a second, however busy the workload.
    const flush = setInterval(() => {
      if (pending.length === 0) return;
      const batch = pending.splice(0);
      setLines((old) => [...batch.reverse(), ...old].slice(0, TAP_LINES));
      setTop(rows.current.busiest(50));
    }, 250);
    followTap({ namespace, resource, method: filter.method, path: filter.path }, (line) => {
      rows.current.add(line);
      if (line.type === 'end') pending.push(line);
    }, abort.signal)
      .then(() => setStatus('stopped'))
      .catch((err: Error) => {
        if (!abort.signal.aborted) {
          setError(err.message);
          setStatus('stopped');
        }
      });
    return () => {
      abort.abort();
      clearInterval(flush);
    };
  }, [namespace, resource, filter]);
  const choose = (value: string): void => {
    const [ns = '', name = ''] = value.split('/');
    if (ns) navigate(paths.live(ns, `workload/${name}`));
  };
  const onFilter = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setFilter({ method: String(form.get('method') ?? ''), path: String(form.get('path') ?? '') });
  };
  return (
    <>
      <h1>Live traffic</h1>
      <form className="toolbar" onSubmit={onFilter}>
        <label>
          Workload{' '}
          <select value={namespace && resource?.startsWith('workload/') ? `${namespace}/${resource.slice('workload/'.length)}` : ''} onChange={(e) => choose(e.target.value)} data-testid="live-target">
            <option value="">choose…</option>
            {(workloads.data?.rows ?? []).map((r) => (
              <option key={`${r.namespace}/${r.name}`} value={`${r.namespace}/${r.name}`}>
                {r.namespace}/{r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Method <input name="method" placeholder="any" size={6} defaultValue={filter.method} />
        </label>
        <label>
          Path prefix <input name="path" placeholder="/" size={16} defaultValue={filter.path} />
        </label>
        <button type="submit">Apply</button>
        <span className={`status ${status}`}>{status === 'watching' ? `● watching ${resource ?? ''}` : status === 'stopped' ? 'stopped' : ''}</span>
      </form>
      {error ? (
        <div className="banner warn" role="alert">
          {error}
        </div>
      ) : null}
      {!resource ? <p className="muted">Choose a workload to watch its requests as they happen.</p> : null}
      <section className="card">
        <h2>Top: busiest paths</h2>
        <TopTable rows={top} />
      </section>
      <section className="card">
        <h2>Tap: latest requests</h2>
        <TapList lines={lines} />
      </section>
    </>
  );
}

function TopTable({ rows }: { rows: readonly PathStats[] }) {
  const columns: Column<PathStats>[] = [
    { key: 'source', title: 'Source', value: (r) => r.source },
    { key: 'destination', title: 'Destination', value: (r) => r.destination },
    { key: 'method', title: 'Method', value: (r) => r.method },
    { key: 'path', title: 'Path', value: (r) => r.path, render: (r) => <code>{r.path}</code> },
    { key: 'count', title: 'Count', value: (r) => r.count, numeric: true },
    { key: 'best', title: 'Best', value: (r) => r.best, render: (r) => ms(r.best), numeric: true },
    { key: 'worst', title: 'Worst', value: (r) => r.worst, render: (r) => ms(r.worst), numeric: true },
    { key: 'success', title: 'Success', value: (r) => r.successes / r.count, render: (r) => <SuccessBadge rate={r.successes / r.count} />, numeric: true, firstDescending: false },
  ];
  return <SortableTable columns={columns} rows={rows} rowKey={(r) => `${r.source} ${r.destination} ${r.method} ${r.path}`} initial={{ column: 'count', descending: true }} testId="top" empty="no requests seen yet" />;
}

function TapList({ lines }: { lines: readonly TapLine[] }) {
  if (lines.length === 0) return <p className="empty">no requests seen yet</p>;
  return (
    <ol className="tap" data-testid="tap">
      {lines.map((l) => (
        <li key={l.id} className={succeeded(l) ? '' : 'failing'}>
          <span className="time">{new Date(l.timestampMs).toLocaleTimeString()}</span>
          <span className={`dir ${l.direction}`}>{l.direction === 'inbound' ? 'in' : 'out'}</span>
          <span>{endpointName(l.source)} → {endpointName(l.destination)}</span>
          <code>
            {l.method} {l.path}
          </code>
          <span className={`badge ${succeeded(l) ? 'good' : 'bad'}`}>{l.error ?? (l.grpcStatus !== undefined && l.grpcStatus !== 0 ? `grpc ${l.grpcStatus}` : l.status)}</span>
          <span className="num">{ms(l.latencyMs)}</span>
          {l.tls ? <span className="lock" title="mutual TLS">mTLS</span> : <span className="lock plain">plain</span>}
        </li>
      ))}
    </ol>
  );
}
