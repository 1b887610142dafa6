// What steers traffic, per service: the routes, weighted splits and profiles in force (with each
// backend's live share beside its configured one, so a canary can be watched), the dtabs, and the
// delegation explorer that explains one request's path.
import { useState } from 'react';
import { useLive } from '../api/live.js';
import type { ServicePolicy as Service, ServicesAnswer, StatRow, Windowed } from '../api/types.js';
import { Banner } from '../components/Banner.js';
import { DelegationExplorer, type ExplainRequest } from '../components/DelegationExplorer.js';
import { DtabList } from '../components/DtabList.js';
import { ServicePolicy } from '../components/ServicePolicy.js';
import { SortableTable, type Column } from '../components/SortableTable.js';
import { SuccessBadge } from '../components/SuccessBadge.js';
import { rps, successHealth } from '../lib/format.js';
import { navigate, paths } from '../router.js';

const hasPolicy = (s: Service): boolean => s.httpRoutes.length > 0 || s.grpcRoutes.length > 0 || s.profile !== undefined;

function policyText(s: Service): string {
  const routes = s.httpRoutes.length + s.grpcRoutes.length;
  const parts = [routes > 0 ? `${routes} route${routes === 1 ? '' : 's'}` : '', s.profile ? 'profile' : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(' + ') : 'direct';
}

export function Resources({ namespace }: { namespace?: string | undefined }) {
  const all = useLive<ServicesAnswer>('/api/services');
  const stats = useLive<Windowed & { rows: StatRow[] }>('/api/stat?kind=service&window=1m');
  const [asked, setAsked] = useState<ExplainRequest | undefined>();
  const namespaces = [...new Set((all.data?.services ?? []).map((s) => s.namespace))].sort();
  const services = (all.data?.services ?? []).filter((s) => namespace === undefined || s.namespace === namespace);
  const unattached = (all.data?.unattached ?? []).filter((u) => namespace === undefined || u.namespace === namespace);
  const statOf = new Map((stats.data?.rows ?? []).map((r) => [`${r.namespace}/${r.name}`, r]));
  const rpsByService = new Map([...statOf].map(([key, r]) => [key, r.rps ?? 0]));
  const statFor = (s: Service): StatRow | undefined => statOf.get(`${s.namespace}/${s.service}`);
  const explain = (name: string): void => setAsked({ name });
  const columns: Column<Service>[] = [
    { key: 'name', title: 'Service', value: (s) => s.name, render: (s) => (hasPolicy(s) ? <a href={`#policy-${s.name}`}>{s.name}</a> : s.name) },
    { key: 'endpoints', title: 'Endpoints (meshed)', value: (s) => s.endpoints, render: (s) => `${s.endpoints} (${s.meshedEndpoints})`, numeric: true },
    { key: 'policy', title: 'Policy', value: policyText },
    { key: 'success', title: 'Success', value: (s) => statFor(s)?.successRate, render: (s) => <SuccessBadge rate={statFor(s)?.successRate} />, numeric: true, firstDescending: false },
    { key: 'rps', title: 'RPS', value: (s) => statFor(s)?.rps, render: (s) => rps(statFor(s)?.rps), numeric: true },
    { key: 'explain', title: '', value: () => '', render: (s) => <button type="button" onClick={() => explain(s.name)}>Explain</button> },
  ];
  return (
    <>
      <Banner connected={all.connected} problem={all.problem ?? stats.problem} />
      <div className="title-row">
        <h1>Routes and dtabs</h1>
        <label>
          Namespace{' '}
          <select value={namespace ?? ''} onChange={(e) => navigate(paths.resources(e.target.value || undefined))} data-testid="namespace">
            <option value="">all</option>
            {namespaces.map((ns) => (
              <option key={ns} value={ns}>
                {ns}
              </option>
            ))}
          </select>
        </label>
      </div>
      {unattached.map((u) => (
        <div key={`${u.kind}/${u.namespace}/${u.name}`} className="banner warn">
          {u.kind} {u.namespace}/{u.name} names {u.names}, which the mesh does not have: it steers nothing. Check the name and port in its parentRefs.
        </div>
      ))}
      <section className="card">
        <h2>Services</h2>
        <SortableTable columns={columns} rows={services} rowKey={(s) => s.name} rowClass={(s) => (successHealth(statFor(s)?.successRate) === 'bad' ? 'failing' : undefined)} empty="no services" testId="services" />
      </section>
      {services.filter(hasPolicy).map((s) => (
        <ServicePolicy key={s.name} service={s} rpsByService={rpsByService} onExplain={explain} />
      ))}
      <DelegationExplorer asked={asked} />
      <DtabList />
    </>
  );
}
