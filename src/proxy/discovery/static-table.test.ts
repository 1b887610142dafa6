import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryTableError } from './errors.js';
import { normalizeName, parseHostPort } from '../../lib/host-port.js';
import { parseDiscoveryTable } from './static-table.js';

const EXAMPLE = `# name -> endpoint, endpoint ...
world.default.svc:80 -> 127.0.0.1:7001, 127.0.0.1:7002

web.emojivoto.svc:80 -> 127.0.0.1:4243 meshed pod=web-1 namespace=emojivoto weight=2, [::1]:4244 meshed
empty.default.svc:80 ->   # known, but nothing behind it
`;

function rejects(text: string, pattern: RegExp, line?: number): void {
  assert.throws(
    () => parseDiscoveryTable(text, 'discovery.txt'),
    (err: unknown) => {
      assert.ok(err instanceof DiscoveryTableError, String(err));
      assert.equal(err.code, 'LOOM_ERR_DISCOVERY_TABLE');
      assert.equal(err.source, 'discovery.txt');
      assert.equal(err.line, line);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test('parses the documented example: hosts, IPv6, meshed, weight and labels', () => {
  const table = parseDiscoveryTable(EXAMPLE, 'discovery.txt');
  assert.deepEqual([...table.keys()], ['world.default.svc:80', 'web.emojivoto.svc:80', 'empty.default.svc:80']);
  assert.deepEqual(table.get('world.default.svc:80'), [
    { addr: '127.0.0.1:7001', host: '127.0.0.1', port: 7001, meshed: false, weight: 1, labels: {} },
    { addr: '127.0.0.1:7002', host: '127.0.0.1', port: 7002, meshed: false, weight: 1, labels: {} },
  ]);
  assert.deepEqual(table.get('web.emojivoto.svc:80'), [
    { addr: '127.0.0.1:4243', host: '127.0.0.1', port: 4243, meshed: true, weight: 2, labels: { pod: 'web-1', namespace: 'emojivoto' } },
    { addr: '[::1]:4244', host: '::1', port: 4244, meshed: true, weight: 1, labels: {} },
  ]);
  assert.deepEqual(table.get('empty.default.svc:80'), []);
});

test('names default to port 80 and are normalized; hostnames and CRLF lines are accepted', () => {
  const table = parseDiscoveryTable('World.Default.SVC. -> Backend.Local:8080 weight=0.5\r\n[::1]:9000 -> [::1]:9001\r\n', 'x');
  assert.deepEqual([...table.keys()], ['world.default.svc:80', '[::1]:9000']);
  const [backend] = table.get('world.default.svc:80') ?? [];
  assert.equal(backend?.addr, 'backend.local:8080');
  assert.equal(backend?.weight, 0.5);
});

test('an empty table or one with only comments has no names', () => {
  assert.equal(parseDiscoveryTable('', 'x').size, 0);
  assert.equal(parseDiscoveryTable('# nothing\n\n   \n', 'x').size, 0);
});

test('errors name source:line, what is wrong and what to write', () => {
  rejects('a:80 -> 127.0.0.1:1\n\nb:80 -> 127.0.0.1', /^discovery\.txt:3: "127\.0\.0\.1" has no port; write host:port$/, 3);
  rejects('a:80 -> 127.0.0.1:70000', /^discovery\.txt:1: .*port "70000"; write a port from 1 to 65535/, 1);
  rejects('a:80 -> 127.0.0.1:0', /port "0"/, 1);
  rejects('a:0 -> 127.0.0.1:1', /name .*port "0"/, 1);
  rejects('a:80 127.0.0.1:1', /has no "->"; write name:port -> host:port/, 1);
  rejects(' -> 127.0.0.1:1', /no name before "->"/, 1);
  rejects('a b -> 127.0.0.1:1', /has spaces/, 1);
  rejects('a -> 1.1.1.1:1\n# c\nA:80 -> 1.1.1.1:2', /^discovery\.txt:3: a:80 is already declared on line 1/, 3);
  rejects('a -> 1.1.1.1:1, 1.1.1.1:1', /1\.1\.1\.1:1 is listed twice/, 1);
  rejects('a -> 1.1.1.1:1,, 1.1.1.1:2', /empty endpoint .* remove the extra comma/, 1);
  rejects('a -> 1.1.1.1:1 weight=0', /weight "0" is not a positive number/, 1);
  rejects('a -> 1.1.1.1:1 weight=-2', /weight "-2"/, 1);
  rejects('a -> 1.1.1.1:1 weight=fast', /weight "fast"/, 1);
  rejects('a -> 1.1.1.1:1 weight=1 weight=2', /weight is set twice/, 1);
  rejects('a -> 1.1.1.1:1 mesh', /"mesh" is not a flag; write meshed, weight=<n>, identity=<name> or key=value/, 1);
  rejects('a -> 1.1.1.1:1 meshed=true', /meshed takes no value/, 1);
  rejects('a -> 1.1.1.1:1 identity=Web!', /identity "Web!" is not a DNS-style name/, 1);
  rejects('a -> 1.1.1.1:1 identity=a.b identity=a.c', /identity is set twice/, 1);
  rejects('a -> 1.1.1.1:1 app.kubernetes.io/name=web', /label key "app\.kubernetes\.io\/name" is not allowed/, 1);
  rejects('a -> 1.1.1.1:1 pod=', /label pod has no value; write pod=<value>/, 1);
  rejects('a -> 1.1.1.1:1 pod=a pod=b', /label pod is set twice/, 1);
  rejects('a -> ::1:80', /looks like an IPv6 address; write it in brackets/, 1);
  rejects('a -> [zz::x]:80', /"zz::x" .* is not an IPv6 address/, 1);
  rejects('a -> [::1', /no closing "\]"/, 1);
  rejects('a -> [::1]80', /has "80" after "\]"/, 1);
  rejects('a -> 300.1.1.1:80', /"300\.1\.1\.1" is not an IPv4 address/, 1);
  rejects('a -> web$:80', /"web\$" is not a valid host name/, 1);
  rejects('a -> :80', /has no host/, 1);
});

test('a label named __proto__ stays a plain label', () => {
  const table = parseDiscoveryTable('a -> 1.1.1.1:1 __proto__=x', 'x');
  const [endpoint] = table.get('a:80') ?? [];
  assert.equal(Object.getPrototypeOf(endpoint?.labels), Object.prototype);
  assert.deepEqual(Object.keys(endpoint?.labels ?? {}), ['__proto__']);
});

test('normalizeName lowercases, strips the trailing dot and adds the default port', () => {
  assert.equal(normalizeName('Web.Default.Svc.'), 'web.default.svc:80');
  assert.equal(normalizeName('web.default.svc:8080'), 'web.default.svc:8080');
  assert.equal(normalizeName('web', 443), 'web:443');
  assert.equal(normalizeName('[::1]'), '[::1]:80');
  assert.equal(normalizeName('[FE80::1]:81'), '[fe80::1]:81');
  assert.throws(() => normalizeName('web:http'), TypeError);
});

test('parseHostPort needs a port unless given a default', () => {
  assert.deepEqual(parseHostPort('10.0.0.1:9'), { ok: true, value: { host: '10.0.0.1', port: 9 } });
  assert.equal(parseHostPort('10.0.0.1').ok, false);
  assert.deepEqual(parseHostPort('10.0.0.1', 80), { ok: true, value: { host: '10.0.0.1', port: 80 } });
});

test('identity=<name> names what the endpoint must prove over mTLS', () => {
  const table = parseDiscoveryTable('web.emojivoto.svc:80 -> 127.0.0.1:4143 meshed identity=web.emojivoto.serviceaccount.identity.loom.cluster.local pod=web-0', 'x');
  assert.deepEqual(table.get('web.emojivoto.svc:80'), [
    {
      addr: '127.0.0.1:4143',
      host: '127.0.0.1',
      port: 4143,
      meshed: true,
      weight: 1,
      identity: 'web.emojivoto.serviceaccount.identity.loom.cluster.local',
      labels: { pod: 'web-0' },
    },
  ]);
});
