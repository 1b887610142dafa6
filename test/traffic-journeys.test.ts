// The traffic journeys as a user walks them on the one-machine platform: `loom up` the demos, then
// shift traffic with `loom apply` (routes) and `loom dtab` (delegation tables), live, and count
// where the answers come from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLoomUp } from './support/loom-up.js';
import { eventually } from './support/upstreams.js';

/** Sends n requests, `parallel` at a time, and returns their answers (status 0 when the request failed). */
async function many(n: number, parallel: number, send: () => Promise<{ status: number; text: string }>): Promise<{ status: number; text: string }[]> {
  const out: { status: number; text: string }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) {
        next++;
        out.push(await send().catch(() => ({ status: 0, text: '' })));
      }
    }),
  );
  return out;
}

function share(answers: { text: string }[], pattern: RegExp): number {
  return answers.filter((a) => pattern.test(a.text)).length / answers.length;
}

test('hello -> world canary: a 30% route, shifted to 10% live, an override pinning v2, then a dtab versioned like namerd', async () => {
  const mesh = await startLoomUp(['demos/hello-world/mesh.yaml', 'demos/hello-world/world-v2.yaml'], 3);
  try {
    const port = await mesh.appPort('hello');
    const hello = async (headers: Record<string, string> = {}) => {
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers });
      return { status: res.status, text: await res.text() };
    };
    const EARTH = /^Hello \(.*\) earth \(/;

    const applied = await mesh.loom(['apply', '-f', 'demos/hello-world/canary.yaml']);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /^httproute\/world-canary created$/m);
    assert.match((await mesh.loom(['get', 'httproutes'])).stdout, /^hello\/world-canary$/m);
    // The route is in force once v1 answers stop arriving at a 50:50 rate; give the stream a moment.
    await new Promise((r) => setTimeout(r, 1500));
    const at30 = await many(1000, 8, () => hello());
    assert.deepEqual(new Set(at30.map((a) => a.status)), new Set([200]));
    const s30 = share(at30, EARTH);
    assert.ok(Math.abs(s30 - 0.3) <= 0.05, `30% canary: ${s30}`);

    // The route's own metrics, as `loom routes` shows them from hello's side.
    let routes = '';
    await eventually(async () => {
      await many(20, 4, () => hello());
      routes = (await mesh.loom(['routes', 'deploy/hello', '-n', 'hello', '--to', 'svc/world'])).stdout;
      return /^world-canary\s+world\.hello\.svc:80\s+100\.00%/m.test(routes);
    }, 30_000, 'loom routes to show the canary route');
    assert.match(routes, /^ROUTE\s+SERVICE\s+SUCCESS\s+RPS/m);

    // Shift to 10% while traffic flows: nothing restarts and no request fails.
    const during = many(400, 4, () => hello());
    const ten = join(mesh.dir, 'canary-10.yaml');
    writeFileSync(ten, (await import('node:fs')).readFileSync(join(mesh.dir, 'demos/hello-world/canary.yaml'), 'utf8').replace('weight: 70', 'weight: 90').replace('weight: 30', 'weight: 10'));
    assert.equal((await mesh.loom(['apply', '-f', ten])).code, 0);
    assert.deepEqual(new Set((await during).map((a) => a.status)), new Set([200]), 'no request dropped while the split changed');
    await new Promise((r) => setTimeout(r, 1000));
    const s10 = share(await many(1000, 8, () => hello()), EARTH);
    assert.ok(Math.abs(s10 - 0.1) <= 0.05, `10% canary: ${s10}`);

    // One request to v2, every time: hello passes loom-dtab on to its call to world.
    const pinned = await many(50, 4, () => hello({ 'loom-dtab': '/svc/hello/80/world-v1 => /svc/hello/80/world-v2' }));
    assert.equal(share(pinned, EARTH), 1, 'the override sends every request to v2');

    // The same canary as a dtab: created, read back with its version, updated with compare-and-set.
    assert.equal((await mesh.loom(['delete', 'httproute', 'world-canary', '-n', 'hello'])).code, 0);
    const created = await mesh.loom(['dtab', 'create', 'default', 'demos/hello-world/canary.dtab']);
    assert.equal(created.code, 0, created.stderr);
    const got = await mesh.loom(['dtab', 'get', 'default']);
    assert.match(got.stdout, /\/svc\/hello\/80\/world => 9 \* \/svc\/hello\/80\/world-v1 & \/svc\/hello\/80\/world-v2/);
    const version = /# version (\S+)/.exec(got.stdout)?.[1];
    assert.ok(version, got.stdout);
    await new Promise((r) => setTimeout(r, 1000));
    const viaDtab = share(await many(1000, 8, () => hello()), EARTH);
    assert.ok(Math.abs(viaDtab - 0.1) <= 0.05, `10% by dtab: ${viaDtab}`);

    const half = join(mesh.dir, 'half.dtab');
    writeFileSync(half, '/svc/hello/80/world => 1 * /svc/hello/80/world-v1 & 1 * /svc/hello/80/world-v2;\n');
    assert.equal((await mesh.loom(['dtab', 'update', 'default', half, '--version', version])).code, 0);
    const stale = await mesh.loom(['dtab', 'update', 'default', half, '--version', version]);
    assert.equal(stale.code, 1, 'a stale version is refused');
    assert.match(stale.stderr, /changed since version/);
    const bad = join(mesh.dir, 'bad.dtab');
    writeFileSync(bad, '/svc/hello => 3 * /a &\n');
    const refused = await mesh.loom(['dtab', 'update', 'default', bad]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /bad\.dtab:2:1: expected a path/);
    await eventually(async () => Math.abs(share(await many(200, 8, () => hello()), EARTH) - 0.5) <= 0.12, 10_000, 'the 50:50 dtab');
  } finally {
    await mesh.stop();
  }
});

test('book info: half of the reviews from v3, counted from the answers', async () => {
  const mesh = await startLoomUp(['demos/bookinfo/mesh.yaml'], 6);
  try {
    const port = await mesh.appPort('productpage-v1');
    const page = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/products/0`);
      return { status: res.status, text: await res.text() };
    };
    const version = (a: { text: string }) => (JSON.parse(a.text) as { reviews: { version?: string } }).reviews.version;
    const before = await many(90, 6, page);
    assert.deepEqual(new Set(before.map(version)), new Set(['v1', 'v2', 'v3']), 'all three versions answer without a route');
    const applied = await mesh.loom(['apply', '-f', 'demos/bookinfo/reviews-v3.yaml']);
    assert.equal(applied.code, 0, applied.stderr);
    await new Promise((r) => setTimeout(r, 1500));
    const after = await many(600, 6, page);
    const v3 = after.filter((a) => version(a) === 'v3').length / after.length;
    assert.ok(Math.abs(v3 - 0.5) <= 0.06, `reviews v3 share: ${v3}`);
  } finally {
    await mesh.stop();
  }
});
