import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePromText, PromTextError } from './prom-text.js';

test('parses samples with labels, escapes, special values; skips comments', () => {
  const samples = parsePromText(
    [
      '# HELP request_total Total count of HTTP requests.',
      '# TYPE request_total counter',
      'request_total{direction="inbound",authority="web.svc:80",tls="true"} 42',
      'response_latency_ms_bucket{le="+Inf",path="a\\"b\\\\c\\nd"} 7',
      'process_start_time_seconds 1.7e9',
      'gauge_nan NaN',
      '',
    ].join('\n'),
  );
  assert.deepEqual(samples, [
    { name: 'request_total', labels: { direction: 'inbound', authority: 'web.svc:80', tls: 'true' }, value: 42 },
    { name: 'response_latency_ms_bucket', labels: { le: '+Inf', path: 'a"b\\c\nd' }, value: 7 },
    { name: 'process_start_time_seconds', labels: {}, value: 1.7e9 },
    { name: 'gauge_nan', labels: {}, value: NaN },
  ]);
});

test('a malformed line names its number and what is wrong', () => {
  assert.throws(() => parsePromText('ok 1\nbad{a="x" 2'), (err: unknown) => err instanceof PromTextError && /^line 2: unterminated label set/.test(err.message));
  assert.throws(() => parsePromText('x{a="1"} abc'), /line 1: bad value "abc"/);
  assert.throws(() => parsePromText('novalue'), /line 1: no value/);
});
