// voting: the gRPC service that counts votes, one Vote<Name> RPC per emoji, and ranks them (Results).
// VoteDoughnut always fails with UNKNOWN "ERROR", as in Linkerd's emojivoto: the bug to find.
import * as grpc from '@grpc/grpc-js';
import { readPort, settings } from '../lib/env.js';
import { run, serveGrpc } from '../lib/serve.js';
import { DOUGHNUT, EMOJIS, voteMethod } from './emojis.js';
import { VotingService, type VotingResult } from './protos.js';

const port = settings(readPort);
const votes = new Map<string, number>();

type Unary = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => void;

function voteFor(shortcode: string): Unary {
  if (shortcode === DOUGHNUT) {
    return function voteDoughnut(_call, callback) {
      callback({ code: grpc.status.UNKNOWN, details: 'ERROR' });
    };
  }
  return function vote(_call, callback) {
    votes.set(shortcode, (votes.get(shortcode) ?? 0) + 1);
    callback(null, {});
  };
}

function results(): VotingResult[] {
  return [...votes]
    .map(([shortcode, count]) => ({ shortcode, votes: count }))
    .sort((a, b) => b.votes - a.votes || a.shortcode.localeCompare(b.shortcode));
}

const handlers: Record<string, Unary> = Object.fromEntries(EMOJIS.map((e) => [voteMethod(e.shortcode), voteFor(e.shortcode)]));
handlers['Results'] = (_call, callback) => callback(null, { results: results() });

const server = new grpc.Server();
server.addService(VotingService.service, handlers);

run(async () => {
  await serveGrpc(port, server);
});
