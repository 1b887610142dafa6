// The hand-written encoder against the generated schema: what it writes, protobuf-es reads back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary } from '@bufbuild/protobuf';
import { Direction, TapEventsSchema } from '../../api/gen/loom/tap/v1/tap_pb.js';
import { encodeTapEvents } from './tap-encode.js';
import type { TapEventRecord } from './tap-event.js';

const source = { address: '10.0.0.1:5000', identity: 'web.shop.serviceaccount.identity.loom.cluster.local', labels: {} };
const destination = { address: '127.0.0.1:8080', identity: 'wörld.shop', labels: { namespace: 'shop', deployment: 'world', pod: 'world-0' } };
const base = { direction: 'outbound' as const, source, destination, tls: true, timestampMs: 1_795_410_765_881.0515 };

test('request, response and end events decode to the same values, peers with the request only', () => {
  const events: TapEventRecord[] = [
    { ...base, id: 1, event: { case: 'requestInit', value: { method: 'POST', scheme: 'http', authority: 'world.test:80', path: '/emojivoto.v1.VotingService/VoteDoughnut' } } },
    { ...base, id: 1, event: { case: 'responseInit', value: { httpStatus: 200, sinceRequestInitMs: 2.75 } } },
    { ...base, id: 1, event: { case: 'responseEnd', value: { httpStatus: 200, sinceRequestInitMs: 3.5, responseBytes: 2 ** 40, grpcStatus: 2, error: '' } } },
    { ...base, id: 2 ** 33, direction: 'inbound', event: { case: 'responseEnd', value: { httpStatus: 502, sinceRequestInitMs: 0, responseBytes: 0, grpcStatus: 0, error: 'LOOM_ERR_CONNECT' } } },
  ];
  const [req, rsp, end, failed] = fromBinary(TapEventsSchema, encodeTapEvents(events)).events;
  assert.equal(req?.id, 1n);
  assert.equal(req?.direction, Direction.OUTBOUND);
  assert.equal(req?.tls, true);
  assert.equal(req?.timestampMs, 1_795_410_765_881.0515);
  assert.deepEqual({ ...req?.source, $typeName: undefined }, { $typeName: undefined, ...source });
  assert.deepEqual(req?.destination?.labels, destination.labels);
  assert.equal(req?.destination?.identity, 'wörld.shop', 'UTF-8 strings');
  assert.ok(req?.event.case === 'requestInit');
  assert.deepEqual([req.event.value.method, req.event.value.scheme, req.event.value.authority, req.event.value.path], ['POST', 'http', 'world.test:80', '/emojivoto.v1.VotingService/VoteDoughnut']);
  assert.equal(rsp?.source, undefined, 'later events carry no peers');
  assert.equal(rsp?.tls, false);
  assert.ok(rsp?.event.case === 'responseInit');
  assert.deepEqual([rsp.event.value.httpStatus, rsp.event.value.sinceRequestInitMs], [200, 2.75]);
  assert.ok(end?.event.case === 'responseEnd');
  assert.deepEqual([end.event.value.responseBytes, end.event.value.grpcStatus, end.event.value.error], [2n ** 40n, 2, '']);
  assert.equal(failed?.id, 2n ** 33n);
  assert.equal(failed?.direction, Direction.INBOUND);
  assert.ok(failed?.event.case === 'responseEnd');
  assert.equal(failed.event.value.grpcStatus, 0, 'an OK gRPC status is present, not absent');
  assert.equal(failed.event.value.error, 'LOOM_ERR_CONNECT');
  assert.ok(end.event.value.grpcStatus !== undefined);
});

test('a batch larger than the initial buffer, and sub-messages longer than 127 bytes, survive', () => {
  const long = 'x'.repeat(300);
  const events: TapEventRecord[] = Array.from({ length: 50 }, (_, i) => ({ ...base, id: i + 1, event: { case: 'requestInit', value: { method: 'GET', scheme: 'http', authority: 'a', path: `/${long}/${i}` } } }));
  const decoded = fromBinary(TapEventsSchema, encodeTapEvents(events)).events;
  assert.equal(decoded.length, 50);
  assert.deepEqual(decoded.map((e) => (e.event.case === 'requestInit' ? e.event.value.path : '')), events.map((e) => (e.event.case === 'requestInit' ? e.event.value.path : '')));
});
