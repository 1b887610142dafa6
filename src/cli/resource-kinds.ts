// The resource kinds CLI commands accept, with kubectl's spellings (ns, deploy, po, svc ...).
import type { StatKind } from '../control/metrics-api/stat-query.js';

const ALIASES: Readonly<Record<string, StatKind>> = {
  ns: 'namespace', namespace: 'namespace', namespaces: 'namespace',
  deploy: 'workload', deployment: 'workload', deployments: 'workload', workload: 'workload', workloads: 'workload',
  po: 'pod', pod: 'pod', pods: 'pod',
  svc: 'service', service: 'service', services: 'service',
};

/** The kind `text` names, if it is one of `allowed`. */
export function kindNamed<K extends StatKind>(text: string, allowed: readonly K[]): K | undefined {
  const kind = ALIASES[text.toLowerCase()];
  return kind !== undefined && (allowed as readonly StatKind[]).includes(kind) ? (kind as K) : undefined;
}
