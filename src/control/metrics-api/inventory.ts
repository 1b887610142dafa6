// What there is to stat, whatever the metrics backend: the meshed pods the platform lists (the
// proxies to scrape) and the services in the control plane's endpoint index, each with the pods behind
// it. A row exists because its resource does, so a resource with no traffic shows "-", not nothing.
// A service's pods are those of the workloads its current endpoints belong to: with none ready, 0/0.
import type { EndpointIndex } from '../index/endpoint-index.js';
import type { ScrapeTarget } from './scraper.js';
import type { ResourceRef, StatKind } from './stat-query.js';

export interface Pod {
  namespace: string;
  workload: string;
  pod: string;
  /** The identity its proxy proves, when it has one. */
  identity?: string;
}

export interface Service {
  namespace: string;
  name: string;
  /** The workloads whose pods the service's endpoints come from. */
  workloads: string[];
}

export interface Inventory {
  pods(): Pod[];
  services(): Service[];
}

/** One row-to-be: a resource of the stat'd kind and the pods whose proxies count for MESHED. */
export interface Resource {
  kind: StatKind;
  namespace: string;
  name: string;
  pods: Pod[];
}

/** Every resource of `kind`, optionally only in `namespace` and only `name`, sorted by namespace and name. */
export function resources(inventory: Inventory, kind: StatKind, namespace?: string, name?: string): Resource[] {
  const pods = inventory.pods();
  const found = new Map<string, Resource>();
  const add = (ns: string, resourceName: string, members: Pod[]): void => {
    if ((namespace !== undefined && ns !== namespace) || (name !== undefined && resourceName !== name)) return;
    const key = `${ns}/${resourceName}`;
    const resource = found.get(key) ?? { kind, namespace: ns, name: resourceName, pods: [] };
    resource.pods.push(...members);
    found.set(key, resource);
  };
  if (kind === 'service') {
    for (const s of inventory.services()) add(s.namespace, s.name, pods.filter((p) => p.namespace === s.namespace && s.workloads.includes(p.workload)));
  } else {
    for (const p of pods) add(p.namespace, kind === 'namespace' ? p.namespace : kind === 'workload' ? p.workload : p.pod, [p]);
  }
  return [...found.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** Why --to or --from names nothing, or undefined when it names something that exists. */
export function unknownRef(inventory: Inventory, flag: 'to' | 'from', ref: ResourceRef): string | undefined {
  if (resources(inventory, ref.kind, ref.namespace, ref.name).length > 0) return undefined;
  const what = ref.kind === 'namespace' ? `namespace ${ref.name ?? ref.namespace}` : `${ref.kind}${ref.name ? ` ${ref.name}` : ''} in namespace ${ref.namespace}`;
  return `--${flag}: no ${what}; \`loom get workloads\` lists what runs`;
}

const SERVICE_NAME = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.[a-z0-9.-]+)?:\d+$/;

/** The services in the endpoint index (`<name>.<namespace>.svc:<port>`, any port), with the workloads their endpoints belong to. */
export function indexedServices(index: EndpointIndex): Service[] {
  const byKey = new Map<string, Service>();
  for (const logical of index.serviceNames()) {
    const m = SERVICE_NAME.exec(logical);
    if (!m) continue;
    const [, name = '', namespace = ''] = m;
    const service = byKey.get(`${namespace}/${name}`) ?? { namespace, name, workloads: [] };
    for (const e of index.endpoints(logical)) {
      const workload = e.labels.deployment;
      if (workload !== undefined && !service.workloads.includes(workload)) service.workloads.push(workload);
    }
    byKey.set(`${namespace}/${name}`, service);
  }
  return [...byKey.values()];
}

/** The inventory of a platform that lists its proxies as scrape targets, and the index's services. */
export function platformInventory(targets: () => readonly ScrapeTarget[], index: EndpointIndex): Inventory {
  return {
    pods: () =>
      targets().map((t) => ({
        namespace: t.labels.namespace ?? '',
        workload: t.labels.workload ?? '',
        pod: t.labels.pod ?? '',
        ...(t.identity ? { identity: t.identity } : {}),
      })),
    services: () => indexedServices(index),
  };
}
