// `loom prometheus-config`: a Prometheus configuration that scrapes every proxy of the mesh run from
// this directory, through the file_sd targets file `loom up` keeps current (so restarts are
// followed), with each proxy's namespace, workload and pod as labels.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { PROMETHEUS_TARGETS_FILE } from '../platform/local/prometheus-targets.js';
import type { CliIO } from './io.js';

export interface PrometheusConfigOptions {
  stateDir: string;
  scrapeInterval: string;
}

export function runPrometheusConfig(opts: PrometheusConfigOptions, io: CliIO): number {
  if (!/^\d+(ms|s|m)$/.test(opts.scrapeInterval)) {
    io.err(`loom prometheus-config: "${opts.scrapeInterval}" is not a scrape interval; write e.g. 5s or 1m\n`);
    return 2;
  }
  const targets = resolve(opts.stateDir, PROMETHEUS_TARGETS_FILE);
  if (!existsSync(targets)) {
    io.err(`loom prometheus-config: no mesh has run from this directory (no ${targets}); start one with \`loom up -f mesh.yaml\`\n`);
    return 1;
  }
  const config = {
    global: { scrape_interval: opts.scrapeInterval, evaluation_interval: opts.scrapeInterval },
    scrape_configs: [{ job_name: 'loom-proxy', metrics_path: '/metrics', file_sd_configs: [{ files: [targets], refresh_interval: '5s' }] }],
  };
  io.out(`# Prometheus configuration for the Loom mesh run from ${resolve(opts.stateDir, '..')}; written by \`loom prometheus-config\`.\n${stringify(config)}`);
  return 0;
}
