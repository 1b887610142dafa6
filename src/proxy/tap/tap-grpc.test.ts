// tapFilter: the wire's Match becomes the hub's filter; an unset field constrains nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { Direction, MatchSchema } from '../../api/gen/loom/tap/v1/tap_pb.js';
import { tapFilter } from './tap-grpc.js';

test('no Match, or an empty one, is a filter without constraints', () => {
  assert.deepEqual(tapFilter(undefined), {});
  assert.deepEqual(tapFilter(create(MatchSchema, {})), {});
});

test('direction: INBOUND and OUTBOUND map to inbound and outbound, UNSPECIFIED to either', () => {
  assert.deepEqual(tapFilter(create(MatchSchema, { direction: Direction.INBOUND })), { direction: 'inbound' });
  assert.deepEqual(tapFilter(create(MatchSchema, { direction: Direction.OUTBOUND })), { direction: 'outbound' });
  assert.deepEqual(tapFilter(create(MatchSchema, { direction: Direction.UNSPECIFIED })), {});
});

test('method, authority, path prefix and destination labels carry over when set', () => {
  const match = create(MatchSchema, { method: 'post', authority: 'world.test:80', pathPrefix: '/api', destinationLabels: { namespace: 'shop', deployment: 'world' } });
  assert.deepEqual(tapFilter(match), { method: 'post', authority: 'world.test:80', pathPrefix: '/api', destinationLabels: { namespace: 'shop', deployment: 'world' } });
  assert.deepEqual(tapFilter(create(MatchSchema, { method: 'GET', authority: '', pathPrefix: '' })), { method: 'GET' }, 'empty strings are unset');
});
