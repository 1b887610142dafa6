// The Grafana dashboards in grafana/: importable (a DS_PROMETHEUS input and variable), every PromQL
// expression valid for the real promtool, and every metric and label they name one that real proxies
// export, scraped from a running mesh after some traffic (or a target label `loom prometheus-config` adds).
// A ServiceProfile route on hello's calls to world, retried on every answer, makes the route families
// (route_*, route_actual_*, route_retry_total) appear too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { LocalMesh } from '../src/platform/local/local-mesh.js';
import { parseResources } from '../src/platform/local/mesh-file.js';
import { PROMETHEUS_TARGETS_FILE } from '../src/platform/local/prometheus-targets.js';
import { ResourceStore } from '../src/platform/local/resource-store.js';
import { ensureBuilt, MAIN, ROOT } from './support/child.js';
import { eventually } from './support/upstreams.js';

const PROMTOOL = '/usr/bin/promtool';
const DS = '${DS_PROMETHEUS}';
/** Grafana's own variables, defined in every dashboard. */
const BUILT_IN = ['__rate_interval', '__interval', '__range'];
/** Concrete values for template variables: names the hello-world mesh below has. */
const VALUES: Record<string, string> = {
  namespace: 'hello',
  workload: 'world-v1',
  direction: 'inbound',
  authority: 'world.hello.svc',
  dst: 'world.hello.svc:80',
  rt_route: 'GET /',
  __rate_interval: '1m',
  __interval: '30s',
  __range: '1h',
};
// PromQL words that look like metric names: aggregations, operators and modifiers.
const KEYWORDS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);

interface Panel {
  title?: string;
  type: string;
  datasource?: { uid?: string };
  targets?: { expr?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query?: unknown;
}
interface Dashboard {
  uid: string;
  title: string;
  description?: string;
  __inputs?: { name: string; type: string; pluginId: string }[];
  panels: Panel[];
  templating: { list: Variable[] };
}
interface Query {
  where: string;
  expr: string;
  /** A label a variable's label_values() lists. */
  label?: string;
}

const files = readdirSync(join(ROOT, 'grafana')).filter((name) => name.endsWith('.json'));
const dashboards = files.map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(ROOT, 'grafana', file), 'utf8')) as Dashboard }));

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Every PromQL expression of a dashboard: panel targets, and the selectors of label_values() variables. */
function queries(file: string, dashboard: Dashboard): Query[] {
  const out: Query[] = [];
  for (const panel of allPanels(dashboard.panels)) {
    for (const target of panel.targets ?? []) if (target.expr) out.push({ where: `${file}: panel "${panel.title}"`, expr: target.expr });
  }
  for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
    const text = typeof variable.query === 'string' ? variable.query : (variable.query as { query: string }).query;
    const call = /^label_values\((?:(.+),\s*)?(\w+)\)$/.exec(text.trim());
    assert.ok(call, `${file}: variable ${variable.name}: expected label_values(selector, label), got ${text}`);
    out.push({ where: `${file}: variable ${variable.name}`, expr: call[1] ?? '', label: call[2] });
  }
  return out;
}

/** Replaces $name and ${name} with concrete values; every variable must be defined by the dashboard. */
function substitute(expr: string, defined: readonly string[], where: string): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    assert.ok(defined.includes(name), `${where}: $${name} is not a variable of this dashboard`);
    const value = VALUES[name];
    assert.ok(value !== undefined, `${where}: no test value for $${name}; add one to VALUES`);
    return value;
  });
}

/** The metric names and label names an expression refers to. */
function references(expr: string): { metrics: Set<string>; labels: Set<string> } {
  const labels = new Set<string>();
  const collect = (list: string) => list.split(',').map((l) => l.trim()).filter(Boolean).forEach((l) => labels.add(l));
  const rest = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{([^}]*)\}/g, (_, inner: string) => {
      for (const m of inner.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) labels.add(m[1] ?? '');
      return ' ';
    })
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, inner: string) => {
      collect(inner);
      return ' ';
    })
    .replace(/\[[^\]]*\]/g, ' ');
  const metrics = new Set<string>();
  for (const m of rest.matchAll(/([a-zA-Z_:][\w:]*)\s*(\()?/g)) {
    const name = m[1] ?? '';
    if (m[2] === undefined && !KEYWORDS.has(name)) metrics.add(name);
  }
  return { metrics, labels };
}

const allQueries = dashboards.flatMap(({ file, dashboard }) => {
  const defined = [...BUILT_IN, ...dashboard.templating.list.map((v) => v.name)];
  return queries(file, dashboard).map((q) => ({ ...q, expr: substitute(q.expr, defined, q.where) }));
});

test('there are the three dashboards, importable with a DS_PROMETHEUS input and variable', () => {
  assert.deepEqual(dashboards.map((d) => d.dashboard.uid).sort(), ['loom-route', 'loom-top-line', 'loom-workload']);
  for (const { file, dashboard } of dashboards) {
    assert.deepEqual(dashboard.__inputs?.map((i) => [i.name, i.type, i.pluginId]), [['DS_PROMETHEUS', 'datasource', 'prometheus']], file);
    assert.ok(dashboard.templating.list.some((v) => v.name === 'DS_PROMETHEUS' && v.type === 'datasource'), `${file}: a DS_PROMETHEUS datasource variable`);
    for (const panel of allPanels(dashboard.panels).filter((p) => p.type !== 'row')) {
      assert.equal(panel.datasource?.uid, DS, `${file}: panel "${panel.title}" uses \${DS_PROMETHEUS}`);
      for (const target of panel.targets ?? []) assert.equal(target.datasource?.uid, DS, `${file}: panel "${panel.title}" target`);
    }
  }
});

test('the route dashboard reads the route families by dst and rt_route, as `loom routes` does', () => {
  const route = allQueries.filter((q) => q.where.startsWith('route.json: panel'));
  assert.ok(route.length >= 10, 'route.json has panel queries');
  for (const q of route) {
    const { metrics, labels } = references(q.expr);
    for (const metric of metrics) assert.match(metric, /^route_/, `${q.where}: ${metric} is not a route family (${q.expr})`);
    assert.ok(labels.has('rt_route') && labels.has('dst'), `${q.where}: matches and groups by dst and rt_route (${q.expr})`);
  }
  const families = new Set(route.flatMap((q) => [...references(q.expr).metrics]));
  for (const family of ['route_response_total', 'route_actual_response_total', 'route_response_latency_ms_bucket', 'route_retry_total']) assert.ok(families.has(family), `route.json reads ${family}`);
});

test('every expression is valid PromQL for promtool, with its template variables filled in', async () => {
  assert.ok(existsSync(PROMTOOL), `${PROMTOOL} is missing: install the Debian package prometheus (it is in .ci/run's PACKAGES)`);
  assert.ok(allQueries.length > 40, 'expressions were found');
  const checked = allQueries.filter((q) => q.expr !== '');
  const rules = { groups: [{ name: 'loom-dashboards', rules: checked.map((q, i) => ({ record: `loom_dashboard:expr_${i}`, expr: q.expr })) }] };
  const file = join(mkdtempSync(join(tmpdir(), 'loom-grafana-')), 'rules.yaml');
  writeFileSync(file, stringify(rules, { lineWidth: 0 }));
  const result = await promisify(execFile)(PROMTOOL, ['check', 'rules', file]).catch((err: { stdout: string; stderr: string }) => err);
  // promtool names the rule; say which panel or variable it came from.
  const failed = [...`${result.stdout}${result.stderr}`.matchAll(/expr_(\d+)/g)].map((m) => `expr_${m[1]}: ${checked[Number(m[1])]?.where}`);
  assert.match(result.stdout, new RegExp(`SUCCESS: ${checked.length} rules found`), `promtool check rules ${file}:\n${result.stdout}${result.stderr}${failed.join('\n')}`);
});

/** Every answer of world counts as a failure and is retried, so each route family gets samples; a small budget keeps it quick. */
const RETRIED_ROUTE = `apiVersion: loom.io/v1alpha2
kind: ServiceProfile
metadata: {name: world.hello.svc.cluster.local, namespace: hello}
spec:
  routes:
    - name: GET /
      condition: {method: GET, pathRegex: /}
      isRetryable: true
      responseClasses:
        - condition: {status: {min: 200, max: 299}}
          isFailure: true
  retryBudget: {retryRatio: 0.1, minRetriesPerSecond: 1, ttl: 10s}
`;

let mesh: LocalMesh;
let stateDir: string;
/** Sample names and label names the proxies exported, and the target labels Prometheus adds. */
const exported = { metrics: new Set<string>(), labels: new Set<string>(['le', 'instance', 'job']) };

before(async () => {
  await ensureBuilt();
  stateDir = mkdtempSync(join(tmpdir(), 'loom-grafana-mesh-'));
  for (const resource of parseResources(RETRIED_ROUTE, 'retried-route.yaml')) new ResourceStore(join(stateDir, 'resources')).apply(resource);
  mesh = new LocalMesh({ files: [join(ROOT, 'demos/hello-world/mesh.yaml')], cwd: ROOT, stateDir, loomCommand: [process.execPath, MAIN], baseEnv: process.env, controllerPort: 0 });
  await mesh.start();
  const hello = mesh.replicas.find((r) => r.replica.name === 'hello-0');
  assert.ok(hello);
  await eventually(() => mesh.endpoints('world.hello.svc:80').length === 1 && hello.replica.status === 'ready', 30_000, 'hello and world to be ready');
  // A new connection per request, closed after it: every TCP family gets samples, tcp_close_total too.
  const call = () =>
    new Promise<void>((resolve, reject) =>
      http.get(`http://127.0.0.1:${hello.inboundPort}/`, { agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject),
    );
  for (let i = 0; i < 3; i++) await call();
  const scrape = async () => {
    for (const { replica } of mesh.replicas) {
      const text = await (await fetch(`http://127.0.0.1:${replica.describe().ports.admin}/metrics`)).text();
      for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
        exported.metrics.add(/^[a-zA-Z_:][\w:]*/.exec(line)?.[0] ?? '');
        for (const m of line.matchAll(/[{,]([a-zA-Z_]\w*)="/g)) exported.labels.add(m[1] ?? '');
      }
    }
    return exported.metrics.has('tcp_close_total') && exported.metrics.has('route_retry_total');
  };
  // hello's proxy takes the route once the profile reaches it: call until its retries are counted.
  await eventually(async () => (await scrape()) || (await call(), false), 15_000, 'the proxies to count closed connections and route retries');
  const targets = JSON.parse(readFileSync(join(stateDir, PROMETHEUS_TARGETS_FILE), 'utf8')) as { labels: Record<string, string> }[];
  for (const group of targets) for (const label of Object.keys(group.labels)) exported.labels.add(label);
});

after(async () => {
  await mesh?.stop();
});

test('every metric an expression names is one a real proxy exports', () => {
  for (const q of allQueries) {
    const { metrics } = references(q.expr);
    if (q.expr !== '') assert.ok(metrics.size > 0, `${q.where}: no metric found in ${q.expr}`);
    for (const metric of metrics) assert.ok(exported.metrics.has(metric), `${q.where}: ${metric} is not exported by the proxies (${q.expr})`);
  }
});

test('every label an expression matches or groups by is one the proxies or the Prometheus targets carry', () => {
  for (const q of allQueries) {
    const { labels } = references(q.expr);
    if (q.label !== undefined) labels.add(q.label);
    for (const label of labels) assert.ok(exported.labels.has(label), `${q.where}: label ${label} is not exported (${q.expr})`);
  }
});
