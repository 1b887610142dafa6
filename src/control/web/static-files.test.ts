import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DashboardFiles } from './static-files.js';

async function withFiles(dir: string, run: (get: (path: string) => Promise<{ status: number; type: string; cache: string; body: string }>) => Promise<void>): Promise<void> {
  const files = new DashboardFiles(dir.endsWith('/') ? dir : `${dir}/`);
  const server = http.createServer((req, res) => {
    if (!files.handle(req, res)) res.writeHead(418).end('not mine');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await run(async (path) => {
      // A raw request: fetch would normalise /../ away before it reached the server.
      return new Promise((resolve, reject) => {
        http.get(`${base}${path}`, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), cache: String(res.headers['cache-control']), body }));
        }).on('error', reject);
      });
    });
  } finally {
    server.close();
  }
}

function built(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loom-dashboard-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Loom</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, '..', 'secret.txt'), 'not for the browser');
  return dir;
}

test('the app at / and at every deep link; hashed assets cached for good, index.html never', async () => {
  await withFiles(built(), async (get) => {
    for (const path of ['/', '/namespaces/emojivoto/workloads/voting', '/traffic?namespace=a']) {
      const page = await get(path);
      assert.deepEqual([page.status, page.type, page.cache], [200, 'text/html; charset=utf-8', 'no-cache'], path);
      assert.match(page.body, /<title>Loom<\/title>/);
    }
    const asset = await get('/assets/index-abc123.js');
    assert.deepEqual([asset.status, asset.type, asset.cache, asset.body], [200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable', 'console.log(1)']);
  });
});

test('a missing asset is a 404, never the app in its place; API paths are left to the APIs', async () => {
  await withFiles(built(), async (get) => {
    assert.equal((await get('/assets/index-old.js')).status, 404);
    assert.deepEqual([(await get('/api/stat')).status, (await get('/api/stat')).body], [418, 'not mine']);
  });
});

test('nothing outside the folder is served, however the path is spelled', async () => {
  await withFiles(built(), async (get) => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%E0%A4%A']) {
      const res = await get(path);
      assert.ok(!res.body.includes('not for the browser'), `${path} leaked the file`);
    }
  });
});

test('before a build, the answer says how to build it', async () => {
  await withFiles(mkdtempSync(join(tmpdir(), 'loom-unbuilt-')), async (get) => {
    const res = await get('/');
    assert.equal(res.status, 404);
    assert.match(res.body, /the dashboard is not built .* run `npm run build`/);
  });
});
