// The demo apps as real processes, talking to each other through real Loom proxies started in this
// process: each caller's LOOM_OUTBOUND is a proxy whose static discovery names the callees.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { parseAllDocuments } from 'yaml';
import { startProxy, sample, type TestProxy } from './support/proxy.js';
import { eventually } from './support/upstreams.js';
import { EMOJIS } from '../demos/emojivoto/emojis.js';
import { renderVotingProto, VOTING_PROTO } from '../demos/emojivoto/voting-proto.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Demo {
  child: ChildProcess;
  addr: string;
  port: number;
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** This test process's environment without any setting a demo reads, plus `env`. */
function demoEnv(env: Record<string, string>): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('LOOM_') && !/^(PORT|[A-Z]+_SVC|WEB_HOST|WORLD_TEXT|REVIEWS_VERSION|VOTE_INTERVAL_MS)$/.test(k)) clean[k] = v;
  }
  return { ...clean, ...env };
}

function spawnDemo(file: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join('demos', file)], { cwd: ROOT, env: demoEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Starts `node --import tsx demos/<file>` (PORT=0 unless env says otherwise) and waits for its listening line. */
function startDemo(file: string, env: Record<string, string> = {}, timeoutMs = 10_000): Promise<Demo> {
  const child = spawnDemo(file, { PORT: '0', ...env });
  let stdout = '';
  let stderr = '';
  // 'close', not 'exit': by then everything the demo wrote has been read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not log 'listening' within ${timeoutMs} ms:\n${stdout}${stderr}`)), timeoutMs);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const match = / listening on (127\.0\.0\.1:(\d+))\n/.exec(stdout);
      if (match?.[1] !== undefined && match[2] !== undefined) {
        clearTimeout(timer);
        resolve({ child, addr: match[1], port: Number(match[2]), stdout: () => stdout, exited });
      }
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited (${exit.code ?? exit.signal}) before listening:\n${stdout}${stderr}`));
    });
  });
}

/** SIGTERMs a demo and resolves to its exit code, or to a description if it took longer than 1 s. */
async function terminate(demo: Demo): Promise<number | string | null> {
  const started = Date.now();
  demo.child.kill('SIGTERM');
  const timer = setTimeout(() => demo.child.kill('SIGKILL'), 3000);
  const { code } = await demo.exited;
  clearTimeout(timer);
  const ms = Date.now() - started;
  return ms < 1000 ? code : `exit ${code} after ${ms} ms`;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await request(url, { headers });
  return { status: res.statusCode, text: await res.body.text() };
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const { status, text } = await get(url);
  return { status, body: JSON.parse(text) as T };
}

after(() => {
  for (const child of running) child.kill('SIGKILL');
});

describe('emojivoto through the mesh', () => {
  let emoji: Demo;
  let voting: Demo;
  let web: Demo;
  let bot: Demo;
  const proxies: TestProxy[] = [];
  let webProxy: TestProxy;

  before(async () => {
    [emoji, voting] = await Promise.all([startDemo('emojivoto/emoji.ts'), startDemo('emojivoto/voting.ts')]);
    // Full mesh shape for gRPC: web's proxy -> (HTTP/2) -> each service's own proxy -> the app.
    const [emojiProxy, votingProxy] = await Promise.all([startProxy({ LOOM_PROXY_APP_ADDR: emoji.addr }), startProxy({ LOOM_PROXY_APP_ADDR: voting.addr })]);
    webProxy = await startProxy({
      LOOM_PROXY_DISCOVERY: `emoji.emojivoto.svc:8080 -> ${emojiProxy.inbound} meshed pod=emoji-1;voting.emojivoto.svc:8080 -> ${votingProxy.inbound} meshed pod=voting-1`,
    });
    proxies.push(emojiProxy, votingProxy, webProxy);
    web = await startDemo('emojivoto/web.ts', { LOOM_OUTBOUND: webProxy.outbound });
    const botProxy = await startProxy({ LOOM_PROXY_DISCOVERY: `web.emojivoto.svc:80 -> ${web.addr}` });
    proxies.push(botProxy);
    bot = await startDemo('emojivoto/vote-bot.ts', { LOOM_OUTBOUND: botProxy.outbound, VOTE_INTERVAL_MS: '20' });
  });
  after(async () => {
    for (const d of [bot, web, voting, emoji]) d?.child.kill('SIGKILL');
    await Promise.all(proxies.map((p) => p.close()));
  });

  test('/api/list returns every emoji from the emoji service', async () => {
    const { status, body } = await getJson<{ unicode: string; shortcode: string }[]>(`http://${web.addr}/api/list`);
    assert.equal(status, 200);
    assert.ok(body.length >= 20);
    assert.deepEqual(body, EMOJIS);
    assert.ok(body.some((e) => e.shortcode === ':doughnut:' && e.unicode === '🍩'));
  });

  test('a vote for a normal emoji succeeds and shows on the leaderboard', async () => {
    // The bot votes too, so compare against the leaderboard rather than exact counts.
    const vote = await getJson<{ ok: boolean; choice: { shortcode: string } }>(`http://${web.addr}/api/vote?choice=${encodeURIComponent(':jack_o_lantern:')}`);
    assert.equal(vote.status, 200);
    assert.deepEqual(vote.body, { ok: true, choice: { unicode: '🎃', shortcode: ':jack_o_lantern:' } });
    const board = await getJson<{ shortcode: string; unicode: string; votes: number }[]>(`http://${web.addr}/api/leaderboard`);
    assert.equal(board.status, 200);
    const entry = board.body.find((s) => s.shortcode === ':jack_o_lantern:');
    assert.ok(entry && entry.unicode === '🎃' && entry.votes >= 1, JSON.stringify(board.body));
    const counts = board.body.map((s) => s.votes);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'sorted by votes, most first');
    assert.ok(!board.body.some((s) => s.shortcode === ':doughnut:'), 'doughnut votes never count');
  });

  test('an unknown choice is a 400', async () => {
    const { status, body } = await getJson<{ error: string }>(`http://${web.addr}/api/vote?choice=:nope:`);
    assert.equal(status, 400);
    assert.match(body.error, /unknown choice ':nope:'/);
  });

  test('voting for the doughnut fails with 500, and the proxy counts a gRPC UNKNOWN failure', async () => {
    const { status, body } = await getJson<{ error: string; grpcStatus: number }>(`http://${web.addr}/api/vote?choice=:doughnut:`);
    assert.equal(status, 500);
    assert.equal(body.grpcStatus, 2);
    assert.match(body.error, /VoteDoughnut: UNKNOWN ERROR/);
    const metrics = await webProxy.metrics();
    const failures = { direction: 'outbound', authority: 'voting.emojivoto.svc:8080', grpc_status: '2', classification: 'failure' };
    assert.ok(sample(metrics, 'response_total', failures) >= 1, 'VoteDoughnut is counted as a failure for voting');
    // The unknown choice above was a NOT_FOUND (5); nothing else failed at emoji.
    assert.equal(sample(metrics, 'response_total', { authority: 'emoji.emojivoto.svc:8080', grpc_status: '2' }), 0, 'the failure is not in emoji');
    assert.ok(sample(metrics, 'response_total', { authority: 'emoji.emojivoto.svc:8080', grpc_status: '0', classification: 'success' }) >= 1);
  });

  test('the page lists the emoji with vote links and the leaderboard', async () => {
    const { status, text } = await get(`http://${web.addr}/`);
    assert.equal(status, 200);
    assert.match(text, /href="\/vote\?choice=%3Adoughnut%3A"[^>]*>🍩</);
    assert.match(text, /<h2>Leaderboard<\/h2>\s*<ol><li>/);
    const failed = await get(`http://${web.addr}/vote?choice=:doughnut:`);
    assert.equal(failed.status, 500);
    assert.match(failed.text, /did not count/);
  });

  test('vote-bot votes through web, and sometimes for the doughnut', async () => {
    await eventually(() => (bot.stdout().match(/^vote :[a-z_]+: ok$/gm) ?? []).length >= 3, 8000, 'three successful bot votes');
    const stats = await getJson<{ votes: number; succeeded: number; failed: number }>(`http://${bot.addr}/`);
    assert.ok(stats.body.succeeded >= 3);
    assert.equal(stats.body.votes, stats.body.succeeded + stats.body.failed);
    for (const line of bot.stdout().split('\n').filter((l) => l.includes(' failed '))) assert.match(line, /^vote :doughnut: failed 500/);
  });

  test('SIGTERM stops every emojivoto process with exit code 0', async () => {
    const codes = await Promise.all([bot, web, voting, emoji].map(terminate));
    assert.deepEqual(codes, [0, 0, 0, 0]);
  });
});

describe('hello -> world through the mesh', () => {
  let world: Demo;
  let earth: Demo;
  let hello: Demo;
  let helloV2: Demo;
  let proxy: TestProxy;

  before(async () => {
    [world, earth] = await Promise.all([startDemo('hello-world/world.ts'), startDemo('hello-world/world.ts', { WORLD_TEXT: 'earth' })]);
    proxy = await startProxy({ LOOM_PROXY_DISCOVERY: `world.hello.svc:80 -> ${world.addr};world-v2.hello.svc:80 -> ${earth.addr}` });
    [hello, helloV2] = await Promise.all([
      startDemo('hello-world/hello.ts', { LOOM_OUTBOUND: proxy.outbound }),
      startDemo('hello-world/hello.ts', { LOOM_OUTBOUND: proxy.outbound, WORLD_SVC: 'world-v2.hello.svc' }),
    ]);
  });
  after(async () => {
    for (const d of [hello, helloV2, world, earth]) d?.child.kill('SIGKILL');
    await proxy?.close();
  });

  test('hello answers with its address and world text and address', async () => {
    const { status, text } = await get(`http://${hello.addr}/`);
    assert.equal(status, 200);
    assert.equal(text, `Hello (${hello.addr}) world (${world.addr})!!\n`);
    assert.ok(sample(await proxy.metrics(), 'response_total', { direction: 'outbound', authority: 'world.hello.svc:80', status_code: '200' }) >= 1);
  });

  test('world with WORLD_TEXT=earth says earth', async () => {
    const { status, text } = await get(`http://${helloV2.addr}/`);
    assert.equal(status, 200);
    assert.equal(text, `Hello (${helloV2.addr}) earth (${earth.addr})!!\n`);
  });

  test('SIGTERM stops hello and world with exit code 0', async () => {
    assert.deepEqual(await Promise.all([hello, helloV2, world, earth].map(terminate)), [0, 0, 0, 0]);
  });
});

describe('bookinfo through the mesh', () => {
  let details: Demo;
  let ratings: Demo;
  let reviews: Demo[];
  let pageV1: Demo;
  let pageV2: Demo;
  let pageProxy: TestProxy;
  const proxies: TestProxy[] = [];

  before(async () => {
    [details, ratings] = await Promise.all([startDemo('bookinfo/details.ts'), startDemo('bookinfo/ratings.ts')]);
    const reviewsProxy = await startProxy({ LOOM_PROXY_DISCOVERY: `ratings.bookinfo.svc:9080 -> ${ratings.addr}` });
    proxies.push(reviewsProxy);
    reviews = await Promise.all(['v1', 'v2', 'v3'].map((v) => startDemo('bookinfo/reviews.ts', { LOOM_OUTBOUND: reviewsProxy.outbound, REVIEWS_VERSION: v })));
    const [v1, v2, v3] = reviews as [Demo, Demo, Demo];
    pageProxy = await startProxy({
      LOOM_PROXY_DISCOVERY: [
        `details.bookinfo.svc:9080 -> ${details.addr}`,
        `reviews.bookinfo.svc:9080 -> ${v1.addr}`,
        `reviews-v2.bookinfo.svc:9080 -> ${v2.addr}`,
        `reviews-v3.bookinfo.svc:9080 -> ${v3.addr}`,
      ].join(';'),
    });
    proxies.push(pageProxy);
    [pageV1, pageV2] = await Promise.all([
      startDemo('bookinfo/productpage.ts', { LOOM_OUTBOUND: pageProxy.outbound }),
      startDemo('bookinfo/productpage.ts', { LOOM_OUTBOUND: pageProxy.outbound, REVIEWS_SVC: 'reviews-v2.bookinfo.svc:9080' }),
    ]);
  });
  after(async () => {
    for (const d of [pageV1, pageV2, details, ratings, ...(reviews ?? [])]) d?.child.kill('SIGKILL');
    await Promise.all(proxies.map((p) => p.close()));
  });

  test('with reviews v1 the product page has details and reviews but no stars', async () => {
    const { status, text } = await get(`http://${pageV1.addr}/productpage`);
    assert.equal(status, 200);
    assert.match(text, /<h1>The Comedy of Errors<\/h1>/);
    assert.match(text, /William Shakespeare/);
    assert.match(text, /Reviewer1/);
    assert.match(text, /reviews v1/);
    assert.doesNotMatch(text, /★/);
  });

  test('with reviews v2 the product page shows black stars from ratings', async () => {
    const { status, text } = await get(`http://${pageV2.addr}/productpage`);
    assert.equal(status, 200);
    assert.match(text, /reviews v2/);
    assert.match(text, /<p class="stars" style="color:black">★★★★★<\/p>/);
    assert.match(text, /<p class="stars" style="color:black">★★★★☆<\/p>/);
  });

  test('/api/products/0 combines details and reviews as JSON', async () => {
    const { status, body } = await getJson<{ id: number; details: { author: string }; reviews: { version: string; reviews: { rating?: { stars: number } }[] } }>(
      `http://${pageV2.addr}/api/products/0`,
    );
    assert.equal(status, 200);
    assert.equal(body.id, 0);
    assert.equal(body.details.author, 'William Shakespeare');
    assert.equal(body.reviews.version, 'v2');
    assert.deepEqual(body.reviews.reviews.map((r) => r.rating?.stars), [5, 4]);
  });

  test('reviews v3 rates in red', async () => {
    const res = await request(`http://${pageProxy.outbound}/reviews/0`, { headers: { host: 'reviews-v3.bookinfo.svc:9080' } });
    const body = (await res.body.json()) as { version: string; reviews: { rating?: { color: string } }[] };
    assert.equal(res.statusCode, 200);
    assert.equal(body.version, 'v3');
    assert.deepEqual(body.reviews.map((r) => r.rating?.color), ['red', 'red']);
  });

  test('with ratings stopped (SIGTERM, exit 0) the page still renders and says ratings are unavailable', async () => {
    assert.equal(await terminate(ratings), 0);
    const { status, text } = await get(`http://${pageV2.addr}/productpage`);
    assert.equal(status, 200);
    assert.match(text, /Ratings service is currently unavailable/);
    assert.doesNotMatch(text, /★/);
  });

  test('SIGTERM stops the other bookinfo processes with exit code 0', async () => {
    const codes = await Promise.all([pageV1, pageV2, details, ...reviews].map(terminate));
    assert.deepEqual(codes, [0, 0, 0, 0, 0, 0]);
  });
});

describe('demo conventions', () => {
  const APPS = [
    'emojivoto/emoji.ts',
    'emojivoto/voting.ts',
    'emojivoto/web.ts',
    'emojivoto/vote-bot.ts',
    'hello-world/hello.ts',
    'hello-world/world.ts',
    'bookinfo/productpage.ts',
    'bookinfo/details.ts',
    'bookinfo/reviews.ts',
    'bookinfo/ratings.ts',
  ];

  test('every demo started without PORT exits 2 and names PORT', async () => {
    const results = await Promise.all(
      APPS.map(
        (file) =>
          new Promise<{ file: string; code: number | null; stderr: string }>((resolve) => {
            const child = spawnDemo(file, {});
            let stderr = '';
            child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
            child.once('exit', (code) => resolve({ file, code, stderr }));
          }),
      ),
    );
    for (const { file, code, stderr } of results) {
      assert.equal(code, 2, `${file} exit code`);
      assert.match(stderr, /^[a-z-]+: PORT is required/, file);
    }
  });

  test('a bad setting exits 2 naming it', async () => {
    const child = spawnDemo('bookinfo/reviews.ts', { PORT: '0', REVIEWS_VERSION: 'v9' });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.equal(stderr, "reviews: REVIEWS_VERSION must be one of v1, v2, v3, got 'v9'\n");
  });

  test('voting.proto has one Vote RPC per emoji (regenerate with demos/emojivoto/voting-proto.ts)', () => {
    assert.equal(readFileSync(VOTING_PROTO, 'utf8'), renderVotingProto(EMOJIS));
  });

  for (const file of ['emojivoto/mesh.yaml', 'hello-world/mesh.yaml', 'hello-world/world-v2.yaml', 'bookinfo/mesh.yaml']) {
    test(`${file} is consistent: every workload runs a demo, has its account, and every Service selects one`, () => {
      checkMeshFile(file);
    });
  }
});

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: {
    selector?: Record<string, string> & { matchLabels?: Record<string, string> };
    ports?: { name: string; port: number; targetPort: number; appProtocol: string }[];
    replicas?: number;
    template?: {
      metadata: { labels: Record<string, string> };
      spec: {
        serviceAccountName: string;
        containers: { name: string; image: string; command: string[]; env: { name: string; value: string }[]; ports: { name: string; containerPort: number }[] }[];
      };
    };
  };
}

function loadMeshFile(file: string): Resource[] {
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'demos', file), 'utf8'));
  return docs.map((d) => {
    assert.deepEqual(d.errors, [], file);
    return d.toJS() as Resource;
  });
}

function checkMeshFile(file: string): void {
  const demo = file.split('/')[0] ?? '';
  // world-v2.yaml is applied on top of mesh.yaml, so check them together.
  const resources = [...(file.endsWith('world-v2.yaml') ? loadMeshFile(`${demo}/mesh.yaml`) : []), ...loadMeshFile(file)];
  const namespace = resources.find((r) => r.kind === 'Namespace')?.metadata.name;
  assert.ok(namespace, 'a Namespace');
  const accounts = new Set(resources.filter((r) => r.kind === 'ServiceAccount').map((r) => r.metadata.name));
  const deployments = resources.filter((r) => r.kind === 'Deployment');
  assert.ok(deployments.length > 0);
  for (const r of resources) if (r.kind !== 'Namespace') assert.equal(r.metadata.namespace, namespace, `${r.kind} ${r.metadata.name}`);
  for (const d of deployments) {
    const where = `Deployment ${d.metadata.name}`;
    assert.equal(d.apiVersion, 'apps/v1', where);
    const template = d.spec?.template;
    assert.ok(template && typeof d.spec?.replicas === 'number', where);
    assert.ok(template.metadata.labels['app'] && template.metadata.labels['version'], `${where}: app and version labels`);
    for (const [k, v] of Object.entries(d.spec?.selector?.matchLabels ?? {})) assert.equal(template.metadata.labels[k], v, `${where}: selector matches its template`);
    assert.ok(accounts.has(template.spec.serviceAccountName), `${where}: ServiceAccount ${template.spec.serviceAccountName}`);
    const container = template.spec.containers[0];
    assert.ok(container, where);
    assert.equal(container.image, 'loom-demos:latest');
    assert.deepEqual(container.command.slice(0, 3), ['node', '--import', 'tsx'], where);
    const entry = container.command[3] ?? '';
    assert.match(entry, /^demos\/.+\.ts$/, where);
    readFileSync(join(ROOT, entry)); // the program exists
    for (const e of container.env) assert.ok(e.name !== 'PORT' && e.name !== 'LOOM_OUTBOUND' && typeof e.value === 'string', `${where}: env ${e.name}`);
    assert.ok(container.ports.length > 0, where);
  }
  for (const s of resources.filter((r) => r.kind === 'Service')) {
    const where = `Service ${s.metadata.name}`;
    assert.equal(s.apiVersion, 'v1', where);
    const selector = s.spec?.selector ?? {};
    const selected = deployments.filter((d) => Object.entries(selector).every(([k, v]) => d.spec?.template?.metadata.labels[k] === v));
    assert.ok(selected.length > 0, `${where} selects a Deployment`);
    for (const port of s.spec?.ports ?? []) {
      assert.ok(['http', 'grpc'].includes(port.appProtocol), `${where}: appProtocol`);
      for (const d of selected) {
        const containerPorts = d.spec?.template?.spec.containers[0]?.ports.map((p) => p.containerPort) ?? [];
        assert.ok(containerPorts.includes(port.targetPort), `${where}: targetPort ${port.targetPort} is a containerPort of ${d.metadata.name}`);
      }
    }
  }
}
