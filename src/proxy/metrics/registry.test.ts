import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from './registry.js';
import { parseExposition, valueOf } from './exposition.test-helper.js';

test('counters and gauges render as exposition format that parses back to their values', () => {
  const r = new Registry();
  const c = r.counter({ name: 'jobs_total', help: 'Jobs done.' });
  const g = r.gauge({ name: 'queue_depth', help: 'Jobs waiting.' });
  c.labels({ queue: 'a' }).inc();
  c.labels({ queue: 'a' }).inc(2.5);
  c.labels({ queue: 'b' }).inc();
  g.labels().set(7);
  g.labels().dec(2);
  const text = r.render();
  assert.match(text, /^# HELP jobs_total Jobs done\.\n# TYPE jobs_total counter\n/);
  const parsed = parseExposition(text);
  assert.equal(valueOf(parsed, 'jobs_total', { queue: 'a' }), 3.5);
  assert.equal(valueOf(parsed, 'jobs_total', { queue: 'b' }), 1);
  assert.equal(valueOf(parsed, 'queue_depth'), 5);
  assert.match(text, /^queue_depth 5$/m);
});

test('label values escape backslash, quote and newline; HELP escapes backslash and newline', () => {
  const r = new Registry();
  const tricky = 'C:\\dir "quoted"\nnext line';
  r.counter({ name: 'odd_total', help: 'line one\nback\\slash' }).labels({ path: tricky }).inc();
  const text = r.render();
  assert.ok(text.includes('odd_total{path="C:\\\\dir \\"quoted\\"\\nnext line"} 1\n'), text);
  assert.ok(text.includes('# HELP odd_total line one\\nback\\\\slash\n'), text);
  const parsed = parseExposition(text);
  assert.equal(parsed.get('odd_total')?.help, 'line one\nback\\slash');
  assert.equal(valueOf(parsed, 'odd_total', { path: tricky }), 1);
});

test('histogram buckets are cumulative with +Inf, _sum and _count', () => {
  const r = new Registry();
  const h = r.histogram({ name: 'wait_ms', help: 'Waits.', buckets: [1, 5, 10] }).labels({ op: 'x' });
  for (const v of [0.5, 1, 1.5, 7, 100, NaN]) h.observe(v);
  const parsed = parseExposition(r.render());
  const bucket = (le: string): number | undefined => valueOf(parsed, 'wait_ms_bucket', { op: 'x', le });
  assert.deepEqual([bucket('1'), bucket('5'), bucket('10'), bucket('+Inf')], [2, 3, 4, 5]);
  assert.equal(valueOf(parsed, 'wait_ms_sum', { op: 'x' }), 110);
  assert.equal(valueOf(parsed, 'wait_ms_count', { op: 'x' }), 5);
});

test('equal label sets return the same child whatever their key order', () => {
  const c = new Registry().counter({ name: 'a_total', help: 'A.' });
  const one = c.labels({ x: '1', y: '2' });
  assert.equal(c.labels({ y: '2', x: '1' }), one);
  assert.notEqual(c.labels({ x: '1', y: '3' }), one);
});

test('children of one family may carry different label names', () => {
  const r = new Registry();
  const c = r.counter({ name: 'req_total', help: 'Requests.' });
  c.labels({ direction: 'outbound', dst_pod: 'p1' }).inc();
  c.labels({ direction: 'outbound', dst_deployment: 'd' }).inc(3);
  const parsed = parseExposition(r.render());
  assert.equal(valueOf(parsed, 'req_total', { dst_pod: 'p1' }), 1);
  assert.equal(valueOf(parsed, 'req_total', { dst_deployment: 'd' }), 3);
});

test('a family with no children renders only HELP and TYPE, and stays valid', () => {
  const r = new Registry();
  r.histogram({ name: 'empty_ms', help: 'Nothing yet.', buckets: [1] });
  assert.equal(r.render(), '# HELP empty_ms Nothing yet.\n# TYPE empty_ms histogram\n');
  assert.equal(parseExposition(r.render()).get('empty_ms')?.samples.length, 0);
});

test('misuse is refused: fixed label names, bad names, reserved le, negative inc, duplicates', () => {
  const r = new Registry();
  const fixed = r.counter({ name: 'fixed_total', help: 'F.', labelNames: ['a', 'b'] });
  fixed.labels({ b: '2', a: '1' }).inc();
  assert.match(r.render(), /^fixed_total\{a="1",b="2"\} 1$/m);
  assert.throws(() => fixed.labels({ a: '1' }), /takes labels \[a, b\]/);
  assert.throws(() => fixed.labels({ a: '1', b: '2', c: '3' }), /takes labels/);
  assert.throws(() => r.counter({ name: 'bad-name', help: '' }), /not a valid metric name/);
  assert.throws(() => r.gauge({ name: 'g', help: '' }).labels({ 'bad-label': 'x' }), /not a valid label name/);
  assert.throws(() => r.histogram({ name: 'h', help: '', buckets: [1] }).labels({ le: '1' }), /reserved/);
  assert.throws(() => r.histogram({ name: 'h2', help: '', buckets: [2, 1] }), /ascending/);
  assert.throws(() => fixed.labels({ a: '1', b: '2' }).inc(-1), /only goes up/);
  assert.throws(() => r.counter({ name: 'fixed_total', help: '' }), /already registered/);
});

test('the test parser itself rejects malformed exposition', () => {
  const bad = [
    'x 1',
    '# TYPE x counter\nx{a="1} 1\n',
    '# TYPE x counter\nx{a="\\t"} 1\n',
    '# TYPE x counter\nx 1\nx 2\n',
    '# TYPE x counter\ny 1\n',
    '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\n',
    '# TYPE h histogram\nh_bucket{le="1"} 1\nh_count 1\n',
  ];
  for (const text of bad) assert.throws(() => parseExposition(text), Error, JSON.stringify(text));
});
