import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessLog, type AccessLogEntry } from './access-log.js';

const entry: AccessLogEntry = {
  time: Date.UTC(2026, 10, 23, 1, 2, 3, 456),
  direction: 'inbound',
  clientAddr: '127.0.0.1',
  method: 'GET',
  authority: 'hello.default.svc:80',
  path: '/path?q=1',
  httpVersion: '1.1',
  status: 200,
  responseBytes: 1234,
  durationMs: 3.24,
  userAgent: 'curl/8.5.0',
};

function collect(format: 'apache' | 'json'): { log: AccessLog; lines: string[] } {
  const lines: string[] = [];
  return { log: new AccessLog(format, (line) => void lines.push(line)), lines };
}

test('apache format is Common Log Format with user agent and duration', () => {
  const { log, lines } = collect('apache');
  log.log(entry);
  log.log({ ...entry, time: new Date(Date.UTC(2026, 0, 5, 23, 59, 59)), httpVersion: 'HTTP/2.0', userAgent: undefined, status: 503, responseBytes: 0, durationMs: 0.04 });
  assert.deepEqual(lines, [
    '127.0.0.1 - - [23/Nov/2026:01:02:03 +0000] "GET /path?q=1 HTTP/1.1" 200 1234 "curl/8.5.0" 3.2ms\n',
    '127.0.0.1 - - [05/Jan/2026:23:59:59 +0000] "GET /path?q=1 HTTP/2.0" 503 0 "-" 0.0ms\n',
  ]);
});

test('apache format escapes quotes, backslashes and control characters in quoted fields', () => {
  const { log, lines } = collect('apache');
  log.log({ ...entry, path: '/a"b\\c', userAgent: 'evil"\n\x1b' });
  assert.ok(lines[0]?.includes('"GET /a\\"b\\\\c HTTP/1.1"'), lines[0]);
  assert.ok(lines[0]?.includes('"evil\\"\\x0a\\x1b"'), lines[0]);
  assert.equal(lines[0]?.split('\n').length, 2);
});

test('json format is one object per line with every given field', () => {
  const { log, lines } = collect('json');
  log.log({ ...entry, requestBytes: 10, grpcStatus: 0, target: '10.0.0.5:8080' });
  log.log({ ...entry, time: new Date(entry.time), path: 'line\nbreak' });
  assert.equal(lines.length, 2);
  assert.ok(lines.every((l) => l.endsWith('}\n') && l.indexOf('\n') === l.length - 1));
  const first = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  assert.deepEqual(first, {
    time: '2026-11-23T01:02:03.456Z',
    direction: 'inbound',
    clientAddr: '127.0.0.1',
    method: 'GET',
    authority: 'hello.default.svc:80',
    path: '/path?q=1',
    httpVersion: '1.1',
    status: 200,
    requestBytes: 10,
    responseBytes: 1234,
    durationMs: 3.24,
    userAgent: 'curl/8.5.0',
    grpcStatus: 0,
    target: '10.0.0.5:8080',
  });
  const second = JSON.parse(lines[1] ?? '') as Record<string, unknown>;
  assert.equal(second['time'], '2026-11-23T01:02:03.456Z');
  assert.equal(second['path'], 'line\nbreak');
  assert.equal('grpcStatus' in second, false);
});
