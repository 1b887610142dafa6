// TapLineBuilder: one proxy's tap events become self-contained lines named with workloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { Direction, TapEventSchema } from '../../api/gen/loom/tap/v1/tap_pb.js';
import type { TapTarget } from './proxy-tap.js';
import { TapLineBuilder } from './tap-line.js';

const WEB_ID = 'web.shop.serviceaccount.identity.loom.cluster.local';
const WORLD_ID = 'world.shop.serviceaccount.identity.loom.cluster.local';
const WORLD_0: TapTarget = { namespace: 'shop', workload: 'world', pod: 'world-0', tap: '10.0.0.2:4190', identity: WORLD_ID };

const owners = (identity: string) => (identity === WEB_ID ? { namespace: 'shop', workload: 'web' } : undefined);

type EventInit = MessageInitShape<typeof TapEventSchema>;
const inbound = (id: bigint, event: EventInit['event'], clientId = WEB_ID) =>
  create(TapEventSchema, {
    id, direction: Direction.INBOUND, tls: clientId !== '', timestampMs: 1_700_000_000_000,
    source: { address: '10.0.0.1:5000', identity: clientId }, destination: { address: '127.0.0.1:8080', identity: clientId === '' ? '' : WORLD_ID },
    event,
  });
const requestInit = (path = '/api/vote'): EventInit['event'] => ({ case: 'requestInit', value: { method: 'POST', scheme: 'http', authority: 'world.test', path } });
const responseEnd = (v: { grpcStatus?: number; error?: string } = {}): EventInit['event'] => ({ case: 'responseEnd', value: { httpStatus: 200, sinceRequestInitMs: 12.5, responseBytes: 42n, ...v } });

test('the request head is carried onto the response and end lines, which share the request\'s id', () => {
  const lines = new TapLineBuilder(WORLD_0, owners);
  const req = lines.line(inbound(7n, requestInit()));
  const rsp = lines.line(inbound(7n, { case: 'responseInit', value: { httpStatus: 201, sinceRequestInitMs: 3 } }));
  const end = lines.line(inbound(7n, responseEnd()));
  assert.deepEqual(req, {
    id: 'shop/world-0:7', type: 'request', direction: 'inbound', timestampMs: 1_700_000_000_000, tls: true,
    source: { address: '10.0.0.1:5000', identity: WEB_ID, namespace: 'shop', workload: 'web' },
    destination: { address: '127.0.0.1:8080', identity: WORLD_ID, namespace: 'shop', workload: 'world', pod: 'world-0' },
    method: 'POST', authority: 'world.test', path: '/api/vote',
  });
  assert.deepEqual([rsp?.id, rsp?.type, rsp?.method, rsp?.authority, rsp?.path, rsp?.status, rsp?.latencyMs], ['shop/world-0:7', 'response', 'POST', 'world.test', '/api/vote', 201, 3]);
  assert.deepEqual([end?.id, end?.type, end?.path, end?.status, end?.latencyMs, end?.responseBytes], ['shop/world-0:7', 'end', '/api/vote', 200, 12.5, 42]);
});

test('a response or end whose request came before the tap yields no line, and an ended request is forgotten', () => {
  const lines = new TapLineBuilder(WORLD_0, owners);
  assert.equal(lines.line(inbound(1n, { case: 'responseInit', value: { httpStatus: 200, sinceRequestInitMs: 1 } })), undefined);
  assert.equal(lines.line(inbound(1n, responseEnd())), undefined);
  lines.line(inbound(2n, requestInit()));
  assert.ok(lines.line(inbound(2n, responseEnd())));
  assert.equal(lines.line(inbound(2n, responseEnd())), undefined, 'a second end for the same id');
});

test('an inbound source is named by the workload its identity belongs to, else only by address', () => {
  const lines = new TapLineBuilder(WORLD_0, owners);
  const stranger = 'batch.jobs.serviceaccount.identity.loom.cluster.local';
  assert.deepEqual(lines.line(inbound(1n, requestInit(), stranger))?.source, { address: '10.0.0.1:5000', identity: stranger });
  assert.deepEqual(lines.line(inbound(2n, requestInit(), ''))?.source, { address: '10.0.0.1:5000', identity: '' }, 'plaintext: no identity to look up');
});

test('an outbound source is this proxy; its destination is named from the endpoint\'s labels', () => {
  const web0: TapTarget = { namespace: 'shop', workload: 'web', pod: 'web-0', tap: '10.0.0.1:4190', identity: WEB_ID };
  const lines = new TapLineBuilder(web0, owners);
  const outbound = (id: bigint, labels: Record<string, string>) =>
    lines.line(create(TapEventSchema, { id, direction: Direction.OUTBOUND, tls: true, source: { address: '10.0.0.1:5000', identity: WEB_ID }, destination: { address: '10.0.0.2:4143', identity: WORLD_ID, labels }, event: requestInit() }));
  const line = outbound(3n, { namespace: 'shop', deployment: 'world', pod: 'world-0', zone: 'a' });
  assert.equal(line?.direction, 'outbound');
  assert.deepEqual(line?.source, { address: '10.0.0.1:5000', identity: WEB_ID, namespace: 'shop', workload: 'web', pod: 'web-0' });
  assert.deepEqual(line?.destination, { address: '10.0.0.2:4143', identity: WORLD_ID, namespace: 'shop', workload: 'world', pod: 'world-0' });
  assert.deepEqual(outbound(4n, {})?.destination, { address: '10.0.0.2:4143', identity: WORLD_ID }, 'an endpoint discovery knows nothing of');
});

test('grpcStatus and error appear on an end line only when the proxy reported them', () => {
  const lines = new TapLineBuilder(WORLD_0, owners);
  const end = (id: bigint, v: { grpcStatus?: number; error?: string }) => {
    lines.line(inbound(id, requestInit()));
    return lines.line(inbound(id, responseEnd(v)));
  };
  const plain = end(1n, {});
  assert.equal('grpcStatus' in (plain ?? {}), false);
  assert.equal('error' in (plain ?? {}), false);
  assert.equal(end(2n, { grpcStatus: 0 })?.grpcStatus, 0, 'OK is a status, not an absence');
  assert.equal(end(3n, { error: 'LOOM_ERR_UPSTREAM_RESET' })?.error, 'LOOM_ERR_UPSTREAM_RESET');
});

test('later events carry only an id: their lines take the ends and the hop from the request', () => {
  const lines = new TapLineBuilder(WORLD_0, owners);
  lines.line(inbound(9n, requestInit('/slow')));
  const bare = create(TapEventSchema, { id: 9n, direction: Direction.INBOUND, timestampMs: 1_700_000_000_500, event: responseEnd() });
  const end = lines.line(bare);
  assert.deepEqual([end?.tls, end?.source.workload, end?.source.identity, end?.destination.pod, end?.path, end?.timestampMs], [true, 'web', WEB_ID, 'world-0', '/slow', 1_700_000_000_500]);
});
