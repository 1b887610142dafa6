import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePorts } from './free-port.js';

test('ports come from below the ephemeral range, distinct and bindable (a connection cannot take them)', async () => {
  const [low = 0] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const ports = await freePorts(20);
  assert.equal(new Set(ports).size, 20);
  for (const port of ports) assert.ok(port < low && port >= low - 10_000, `${port} is below ${low}`);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(ports[0], '127.0.0.1', resolve));
  server.close();
});

test('a taken port is skipped; with no usable range the kernel picks', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    assert.deepEqual(await freePorts(1, '127.0.0.1', { low: port, high: port }).then((p) => p[0] !== port), true);
    assert.equal((await freePorts(3, '127.0.0.1', undefined)).length, 3);
  } finally {
    taken.close();
  }
});
