// Which logical names each workload serves: a Service selects Deployments by label, and each of its
// ports becomes the name `<service>.<namespace>.svc:<port>` that apps and proxies use.
import { matchesSelector, type ServiceResource } from '../../resources/index.js';
import type { LocalDeployment, MeshFile } from './mesh-file.js';

export interface ServedName {
  /** `<service>.<namespace>.svc:<port>` */
  name: string;
  service: string;
  namespace: string;
}

export function serviceNames(service: ServiceResource): ServedName[] {
  const namespace = service.metadata.namespace ?? 'default';
  return service.spec.ports.map((p) => ({
    name: `${service.metadata.name}.${namespace}.svc:${p.port}`,
    service: service.metadata.name,
    namespace,
  }));
}

/** The names a Deployment's replicas serve. */
export function namesServedBy(mesh: MeshFile, deployment: LocalDeployment): ServedName[] {
  const namespace = deployment.metadata.namespace ?? 'default';
  const labels = deployment.spec.template.metadata.labels;
  return mesh.services
    .filter((s) => (s.metadata.namespace ?? 'default') === namespace && matchesSelector(s.spec.selector, labels))
    .flatMap(serviceNames);
}
