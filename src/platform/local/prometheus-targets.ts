// `.loom/prometheus-targets.json`: every proxy's admin address in Prometheus' file_sd format, kept
// current by `loom up`, so a Prometheus configured by `loom prometheus-config` follows restarts.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProxyRecord } from './proxy-file.js';

export const PROMETHEUS_TARGETS_FILE = 'prometheus-targets.json';

export function writePrometheusTargets(stateDir: string, proxies: readonly ProxyRecord[]): void {
  const groups = proxies.map((p) => ({
    targets: [new URL(p.admin).host],
    labels: { namespace: p.namespace, workload: p.workload, pod: p.pod, ...(p.identity ? { identity: p.identity } : {}) },
  }));
  const path = join(stateDir, PROMETHEUS_TARGETS_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(groups, null, 1)}\n`);
  renameSync(`${path}.tmp`, path);
}
