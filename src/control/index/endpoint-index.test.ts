import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointIndex, type EndpointWatcher, type IndexedEndpoint } from './endpoint-index.js';

function ep(addr: string, labels: Record<string, string> = {}): IndexedEndpoint {
  const [host = '', port = '0'] = addr.split(':');
  return { addr, host, port: Number(port), weight: 1, meshed: true, labels };
}

function recorder(): EndpointWatcher & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    add: (eps) => events.push(`add ${eps.map((e) => e.addr).join(',')}`),
    remove: (addrs) => events.push(`remove ${addrs.join(',')}`),
    noEndpoints: (exists) => events.push(`none ${exists}`),
  };
}

test('a watcher gets the current state first, then only what changed', () => {
  const index = new EndpointIndex();
  index.setEndpoints('web.test:80', [ep('10.0.0.1:80'), ep('10.0.0.2:80')]);
  const w = recorder();
  index.watch('web.test:80', w);
  index.setEndpoints('web.test:80', [ep('10.0.0.2:80'), ep('10.0.0.3:80')]);
  index.setEndpoints('web.test:80', [ep('10.0.0.2:80'), ep('10.0.0.3:80')]);
  index.setEndpoints('web.test:80', [ep('10.0.0.2:80', { pod: 'b' }), ep('10.0.0.3:80')]);
  index.setEndpoints('web.test:80', []);
  assert.deepEqual(w.events, [
    'add 10.0.0.1:80,10.0.0.2:80',
    'add 10.0.0.3:80',
    'remove 10.0.0.1:80',
    'add 10.0.0.2:80',
    'remove 10.0.0.2:80,10.0.0.3:80',
    'none true',
  ]);
});

test('unknown and deleted services say whether they exist', () => {
  const index = new EndpointIndex();
  const w = recorder();
  const stop = index.watch('ghost.test:80', w);
  index.setEndpoints('ghost.test:80', []);
  index.setEndpoints('ghost.test:80', [ep('10.0.0.1:80')]);
  index.deleteService('ghost.test:80');
  stop();
  index.setEndpoints('ghost.test:80', [ep('10.0.0.9:80')]);
  assert.deepEqual(w.events, ['none false', 'none true', 'add 10.0.0.1:80', 'none false']);
  assert.equal(index.watcherCount, 0);
});
