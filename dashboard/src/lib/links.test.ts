import { describe, expect, test } from 'vitest';
import { grafanaDashboard, prometheusGraph, signalQueries } from './links.js';

describe('links out', () => {
  test('a workload\'s queries are the metrics API\'s own: inbound responses of that workload over a minute', () => {
    const q = signalQueries('emojivoto', 'voting');
    expect(q.successRate).toBe(
      'sum by (namespace, workload) (increase(response_total{direction="inbound",namespace="emojivoto",workload="voting",classification="success"}[60s])) / sum by (namespace, workload) (increase(response_total{direction="inbound",namespace="emojivoto",workload="voting"}[60s]))',
    );
    expect(q.rps).toBe('sum by (namespace, workload) (increase(response_total{direction="inbound",namespace="emojivoto",workload="voting"}[60s])) / 60');
    expect(signalQueries('emojivoto').rps).toBe('sum by (namespace) (increase(response_total{direction="inbound",namespace="emojivoto"}[60s])) / 60');
  });
  test('Prometheus gets one graph panel per query; Grafana the shipped dashboard with its variables', () => {
    const url = new URL(prometheusGraph('http://127.0.0.1:9090/', ['up', 'sum(up)']));
    expect(url.pathname).toBe('/graph');
    expect([url.searchParams.get('g0.expr'), url.searchParams.get('g1.expr'), url.searchParams.get('g1.range_input')]).toEqual(['up', 'sum(up)', '1h']);
    expect(grafanaDashboard('http://grafana.local/g/', 'emojivoto', 'voting')).toBe('http://grafana.local/g/d/loom-workload?var-namespace=emojivoto&var-workload=voting');
    expect(grafanaDashboard('http://grafana.local', 'emojivoto')).toBe('http://grafana.local/d/loom-top-line?var-namespace=emojivoto');
    expect(grafanaDashboard('http://grafana.local')).toBe('http://grafana.local/d/loom-top-line');
  });
});
