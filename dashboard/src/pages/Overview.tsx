// The first page: every namespace with its golden signals, and the mesh's health at a glance.
import { useLive } from '../api/live.js';
import type { MeshHealth, ProxyCertificates, StatRow, Windowed } from '../api/types.js';
import { Banner } from '../components/Banner.js';
import { StatTable } from '../components/StatTable.js';
import { grafanaDashboard } from '../lib/links.js';
import { paths } from '../router.js';

export function Overview() {
  const stat = useLive<Windowed & { rows: StatRow[] }>('/api/stat?kind=namespace&window=1m');
  const health = useLive<MeshHealth>('/api/health');
  return (
    <>
      <Banner connected={stat.connected && health.connected} problem={stat.problem} />
      <h1>Overview</h1>
      <HealthCards health={health.data} reachable={health.connected} />
      <section className="card">
        <h2>Namespaces</h2>
        <StatTable rows={stat.data?.rows ?? []} title="Namespace" link={(r) => paths.namespace(r.name)} testId="namespaces" />
        {stat.data ? <p className="muted">Last minute, from {stat.data.backend}.</p> : null}
      </section>
    </>
  );
}

/** When the first proxy certificate expires: renewals keep this well ahead while all is well. */
function proxyCertText(proxies: ProxyCertificates | undefined): string {
  if (!proxies) return 'no proxy has reported a certificate yet';
  return `proxies' certificates renew by themselves; the first expires at ${new Date(proxies.soonest.expiresAt).toLocaleTimeString()} (${proxies.soonest.pod})`;
}

function HealthCards({ health, reachable }: { health: MeshHealth | undefined; reachable: boolean }) {
  if (!health) return <div className="cards" />;
  const { proxies, identity, controller } = health;
  const proxiesOk = proxies.total > 0 && proxies.up === proxies.total;
  return (
    <div className="cards" data-testid="health">
      <div className={`stat-card ${reachable ? 'good' : 'bad'}`}>
        <div className="label">Control plane</div>
        <div className="value">{reachable ? 'up' : 'not answering'}</div>
        <div className="muted">{reachable ? `since ${new Date(controller.startedAt).toLocaleTimeString()}` : 'reconnecting…'}</div>
      </div>
      <div className={`stat-card ${proxiesOk ? 'good' : 'bad'}`}>
        <div className="label">Proxies ready</div>
        <div className="value">
          {proxies.up}/{proxies.total}
        </div>
        <div className="muted">{proxies.down.length > 0 ? `not answering: ${proxies.down.slice(0, 3).join(', ')}${proxies.down.length > 3 ? '…' : ''}` : 'all answering'}</div>
      </div>
      <div className={`stat-card ${identity ? (identity.problem ? 'warn' : 'good') : 'idle'}`} data-testid="certificates">
        <div className="label">Certificates</div>
        <div className="value small">{identity ? `issuer until ${new Date(identity.issuerExpiresAt).toLocaleDateString()}` : 'off'}</div>
        <div className="muted">{identity ? (identity.problem ?? proxyCertText(identity.proxies)) : 'no mTLS identities'}</div>
      </div>
      <div className="stat-card idle">
        <div className="label">Metrics</div>
        <div className="value small">{controller.metricsBackend ?? 'none'}</div>
        <div className="muted links">
          {health.links.prometheus ? (
            <a href={health.links.prometheus} target="_blank" rel="noreferrer" data-testid="prometheus-link">
              Prometheus ↗
            </a>
          ) : null}
          {health.links.grafana ? (
            <a href={grafanaDashboard(health.links.grafana)} target="_blank" rel="noreferrer" data-testid="grafana-link">
              Grafana ↗
            </a>
          ) : null}
        </div>
      </div>
    </div>
  );
}
