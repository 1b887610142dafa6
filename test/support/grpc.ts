// A minimal gRPC-over-HTTP/2 peer: length-prefixed messages, grpc-status trailers. Enough to test
// what the proxy must carry (headers, data frames, trailers, resets) without a protobuf toolchain.
import http2, { type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';

export function frame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

export interface GrpcReply {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  body: Buffer;
  rstCode: number;
}

/** One unary call on an existing session. */
export function grpcCall(session: ClientHttp2Session, authority: string, path: string, message: Buffer): Promise<GrpcReply> {
  return new Promise((resolve) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      ':authority': authority,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (headers = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('error', () => undefined); // a reset is reported through rstCode
    stream.on('close', () => resolve({ headers, trailers, body: Buffer.concat(chunks), rstCode: stream.rstCode ?? 0 }));
    stream.end(frame(message));
  });
}

export function connect(addr: string): ClientHttp2Session {
  const session = http2.connect(`http://${addr}`);
  session.on('error', () => undefined);
  return session;
}
