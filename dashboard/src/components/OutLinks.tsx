// "Open in Prometheus" and "Open in Grafana" for a namespace or workload, shown only when the control
// plane was told where they are. The links are asked for once per page load.
import { useEffect, useState } from 'react';
import type { MeshHealth } from '../api/types.js';
import { grafanaDashboard, prometheusGraph, signalQueries } from '../lib/links.js';

let asked: Promise<MeshHealth['links']> | undefined;

function configuredLinks(): Promise<MeshHealth['links']> {
  asked ??= fetch('/api/health')
    .then(async (res) => ((await res.json()) as MeshHealth).links ?? {})
    .catch(() => {
      asked = undefined; // ask again on the next page: the control plane may be back
      return {};
    });
  return asked;
}

export function OutLinks({ namespace, workload }: { namespace: string; workload?: string }) {
  const [links, setLinks] = useState<MeshHealth['links']>({});
  useEffect(() => {
    let live = true;
    void configuredLinks().then((l) => live && setLinks(l));
    return () => {
      live = false;
    };
  }, []);
  const q = signalQueries(namespace, workload);
  return (
    <>
      {links.prometheus ? (
        <a href={prometheusGraph(links.prometheus, [q.successRate, q.rps])} target="_blank" rel="noreferrer" data-testid="prometheus-link">
          Prometheus ↗
        </a>
      ) : null}
      {links.grafana ? (
        <a href={grafanaDashboard(links.grafana, namespace, workload)} target="_blank" rel="noreferrer" data-testid="grafana-link">
          Grafana ↗
        </a>
      ) : null}
    </>
  );
}
