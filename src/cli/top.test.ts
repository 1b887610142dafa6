// TopTable: `loom top`'s rows, one per (source, destination, method, path), from tap end lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TapLine } from '../control/tap/tap-line.js';
import { TopTable } from './top.js';

function end(o: Partial<TapLine> = {}): TapLine {
  return {
    id: 'shop/world-0:1', type: 'end', direction: 'inbound', timestampMs: 0, tls: true,
    source: { address: '10.0.0.1:5000', identity: 'web', workload: 'web' },
    destination: { address: '127.0.0.1:8080', identity: 'world', pod: 'world-0' },
    method: 'GET', authority: 'world.test', path: '/api/list', status: 200, latencyMs: 1, responseBytes: 0,
    ...o,
  };
}

/** The rendered rows as cells, without the header. */
function rows(table: TopTable, limit = 30): string[][] {
  const [header, ...lines] = table.render(limit).trimEnd().split('\n');
  assert.match(header ?? '', /^SOURCE\s+DESTINATION\s+METHOD\s+PATH\s+COUNT\s+BEST\s+WORST\s+LAST\s+SUCCESS_RATE$/);
  return lines.map((l) => l.split(/\s{2,}/));
}

test('an empty table says no requests have been seen yet', () => {
  assert.equal(new TopTable().render(30), '(no requests seen yet)\n');
});

test('only end lines count: a request and its response add nothing', () => {
  const table = new TopTable();
  table.add(end({ type: 'request' }));
  table.add(end({ type: 'response', status: 500 }));
  assert.equal(table.render(30), '(no requests seen yet)\n');
  table.add(end());
  assert.equal(rows(table)[0]?.[4], '1');
});

test('ends of one (source, destination, method, path) share a row: count, best, worst, last', () => {
  const table = new TopTable();
  for (const latencyMs of [5, 1.25, 9, 3]) table.add(end({ latencyMs }));
  assert.deepEqual(rows(table), [['deploy/web', 'pod/world-0', 'GET', '/api/list', '4', '1.3ms', '9.0ms', '3.0ms', '100.00%']]);
});

test('a 5xx, a non-zero gRPC status or a proxy error is a failure; a 4xx and gRPC OK are not', () => {
  const table = new TopTable();
  for (const o of [{ status: 500 }, { grpcStatus: 14 }, { error: 'LOOM_ERR_CONNECT', status: 200 }, { status: 404 }, { grpcStatus: 0 }, {}, {}, {}]) table.add(end(o));
  assert.equal(rows(table)[0]?.[8], '62.50%');
});

test('rows are split by source, destination, method and path, busiest first, and limited', () => {
  const table = new TopTable();
  const add = (n: number, o: Partial<TapLine>) => {
    for (let i = 0; i < n; i++) table.add(end(o));
  };
  add(1, { path: '/a' });
  add(3, { path: '/b' });
  add(2, { path: '/b', method: 'POST' });
  add(4, { path: '/b', source: { address: '10.0.0.9:6000', identity: '' } });
  add(1, { path: '/b', destination: { address: '127.0.0.1:8080', identity: 'world', workload: 'world' } });
  assert.deepEqual(rows(table).map((r) => [r[0], r[1], r[2], r[3], r[4]]), [
    ['10.0.0.9:6000', 'pod/world-0', 'GET', '/b', '4'],
    ['deploy/web', 'pod/world-0', 'GET', '/b', '3'],
    ['deploy/web', 'pod/world-0', 'POST', '/b', '2'],
    ['deploy/web', 'pod/world-0', 'GET', '/a', '1'],
    ['deploy/web', 'deploy/world', 'GET', '/b', '1'],
  ]);
  assert.deepEqual(rows(table, 2).map((r) => r[4]), ['4', '3']);
});
