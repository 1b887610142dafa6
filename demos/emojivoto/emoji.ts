// emoji: the gRPC service that knows every emoji (ListAll, FindByShortcode).
import * as grpc from '@grpc/grpc-js';
import { readPort, settings } from '../lib/env.js';
import { run, serveGrpc } from '../lib/serve.js';
import { EMOJIS } from './emojis.js';
import { EmojiService } from './protos.js';

const port = settings(readPort);
const byShortcode = new Map(EMOJIS.map((e) => [e.shortcode, e]));

const server = new grpc.Server();
server.addService(EmojiService.service, {
  ListAll(_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) {
    callback(null, { list: EMOJIS });
  },
  FindByShortcode(call: grpc.ServerUnaryCall<{ shortcode: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
    const emoji = byShortcode.get(call.request.shortcode);
    if (emoji) callback(null, emoji);
    else callback({ code: grpc.status.NOT_FOUND, details: `no emoji with shortcode '${call.request.shortcode}'` });
  },
});

run(async () => {
  await serveGrpc(port, server);
});
