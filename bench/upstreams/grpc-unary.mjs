// A trivial gRPC unary server over h2c (prior knowledge, no TLS): any POST gets one reply message
// and trailers grpc-status: 0. Usage: node grpc-unary.mjs <port>
import http2 from 'node:http2';
import { REPLY } from '../lib/grpc-frame.mjs';

const port = Number(process.argv[2]);
const HEADERS = { ':status': 200, 'content-type': 'application/grpc' };
const TRAILERS = { 'grpc-status': '0' };

const server = http2.createServer({ settings: { maxConcurrentStreams: 1000 } });

server.on('stream', (stream, headers) => {
  if (headers[':method'] !== 'POST') {
    stream.respond({ ':status': 405 });
    stream.end();
    return;
  }
  stream.on('error', () => {});
  stream.resume();
  stream.on('end', () => {
    if (stream.destroyed) return;
    stream.respond(HEADERS, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers(TRAILERS));
    stream.end(REPLY);
  });
});

server.on('sessionError', () => {});
server.listen(port, '127.0.0.1');

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
