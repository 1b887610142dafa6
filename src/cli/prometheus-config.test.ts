import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROMETHEUS_TARGETS_FILE, writePrometheusTargets } from '../platform/local/prometheus-targets.js';
import { captureIO } from './fake-mesh.test-helper.js';
import { runPrometheusConfig } from './prometheus-config.js';

test('the targets file lists every proxy with its replica labels; the config points Prometheus at it', () => {
  const stateDir = join(mkdtempSync(join(tmpdir(), 'loom-prom-')), '.loom');
  mkdirSync(stateDir, { recursive: true });
  writePrometheusTargets(stateDir, [{ namespace: 'shop', workload: 'web', pod: 'web-0', admin: 'http://127.0.0.1:4191', identity: 'web.shop.serviceaccount.identity.loom.cluster.local' }]);
  assert.deepEqual(JSON.parse(readFileSync(join(stateDir, PROMETHEUS_TARGETS_FILE), 'utf8')), [
    { targets: ['127.0.0.1:4191'], labels: { namespace: 'shop', workload: 'web', pod: 'web-0', identity: 'web.shop.serviceaccount.identity.loom.cluster.local' } },
  ]);
  const out = captureIO();
  assert.equal(runPrometheusConfig({ stateDir, scrapeInterval: '5s' }, out), 0, out.stderr);
  const config = parse(out.stdout) as { global: { scrape_interval: string }; scrape_configs: Array<{ job_name: string; file_sd_configs: Array<{ files: string[] }> }> };
  assert.equal(config.global.scrape_interval, '5s');
  assert.equal(config.scrape_configs[0]?.job_name, 'loom-proxy');
  assert.deepEqual(config.scrape_configs[0]?.file_sd_configs[0]?.files, [join(stateDir, PROMETHEUS_TARGETS_FILE)]);
});

test('without a mesh, or with a bad interval, it says what to do', () => {
  const none = captureIO();
  assert.equal(runPrometheusConfig({ stateDir: join(mkdtempSync(join(tmpdir(), 'loom-prom-')), '.loom'), scrapeInterval: '10s' }, none), 1);
  assert.match(none.stderr, /no mesh has run from this directory .* start one with `loom up -f mesh\.yaml`/);
  const bad = captureIO();
  assert.equal(runPrometheusConfig({ stateDir: '.loom', scrapeInterval: 'often' }, bad), 2);
  assert.match(bad.stderr, /"often" is not a scrape interval/);
});
