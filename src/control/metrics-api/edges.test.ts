import { test } from 'node:test';
import assert from 'node:assert/strict';
import { edges } from './edges.js';
import { SeriesStore } from './series-store.js';
import { storeEdgeSamples } from './store-traffic.js';

const WEB_ID = 'web.emojivoto.serviceaccount.identity.loom.cluster.local';
const VOTING_ID = 'voting.emojivoto.serviceaccount.identity.loom.cluster.local';

test('edges pair the caller\'s outbound metrics with the identities both ends proved', () => {
  const store = new SeriesStore(3_600_000);
  const web = { namespace: 'emojivoto', workload: 'web', pod: 'web-0' };
  const voting = { namespace: 'emojivoto', workload: 'voting', pod: 'voting-0' };
  const out = (value: number, extra: Record<string, string>) => ({ name: 'response_total', labels: { direction: 'outbound', ...extra }, value });
  for (const [at, n] of [[0, 0], [10_000, 30]] as const) {
    store.append(web, [
      out(n, { authority: 'voting.emojivoto.svc:8080', dst_namespace: 'emojivoto', dst_deployment: 'voting', tls: 'true', server_id: VOTING_ID }),
      out(n, { authority: 'api.example.com:80', tls: 'no_identity', no_tls_reason: 'not_provided_by_service_discovery' }),
    ], at);
    store.append(voting, [{ name: 'request_total', labels: { direction: 'inbound', tls: 'true', client_id: WEB_ID }, value: n }], at);
  }
  const found = edges(storeEdgeSamples(store, 60_000, 10_000), [{ namespace: 'emojivoto', workload: 'web', identity: WEB_ID }, { namespace: 'emojivoto', workload: 'voting', identity: VOTING_ID }], {});
  assert.deepEqual(found, [
    { srcNamespace: 'emojivoto', src: 'web', dstNamespace: 'emojivoto', dst: 'api.example.com:80', secured: false, notSecuredReason: 'not_provided_by_service_discovery', requests: 30 },
    { srcNamespace: 'emojivoto', src: 'web', dstNamespace: 'emojivoto', dst: 'voting', secured: true, clientId: WEB_ID, serverId: VOTING_ID, requests: 30 },
  ]);
  assert.deepEqual(edges(storeEdgeSamples(store, 60_000, 10_000), [], { namespace: 'other' }), []);
});

test('an edge is secured only when the callee saw the caller\'s identity within the window', () => {
  const outbound = [{ labels: { namespace: 'shop', workload: 'web', direction: 'outbound', tls: 'true', dst_namespace: 'shop', dst_deployment: 'api', server_id: 'api-id' }, requests: 4 }];
  const targets = [{ namespace: 'shop', workload: 'web', identity: 'web-id' }];
  const [seen] = edges({ outbound, clients: [{ namespace: 'shop', workload: 'api', clientId: 'web-id' }] }, targets, {});
  assert.deepEqual([seen?.secured, seen?.clientId, seen?.requests], [true, 'web-id', 4]);
  const [unseen] = edges({ outbound, clients: [{ namespace: 'shop', workload: 'other', clientId: 'web-id' }] }, targets, {});
  assert.deepEqual([unseen?.secured, unseen?.notSecuredReason], [false, 'client identity not seen at the destination']);
});
