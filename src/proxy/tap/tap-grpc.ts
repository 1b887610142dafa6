// The Tap API's one method served on a bare HTTP/2 stream: gRPC's framing (a 5-byte prefix per
// message) and trailers, the request decoded with the generated schema, the events with the
// hand-written encoder. Any other path is UNIMPLEMENTED; a compressed request is refused.
import type { ServerHttp2Stream } from 'node:http2';
import { fromBinary } from '@bufbuild/protobuf';
import { Direction, ObserveRequestSchema, type Match, type ObserveRequest } from '../../api/gen/loom/tap/v1/tap_pb.js';
import { encodeTapEvents } from './tap-encode.js';
import type { TapHub } from './tap-hub.js';
import type { TapFilter } from './tap-match.js';

const OBSERVE = '/loom.tap.v1.Tap/Observe';
const DEFAULT_MAX_RPS = 100;
/** A tap is a debugging view, not an export pipeline. */
const MAX_RPS_CEILING = 10_000;
/** Long enough to share a message among a busy tap's events, short enough to read as live. */
const BATCH_MS = 100;
/** An ObserveRequest is a few hundred bytes; anything much larger is not one. */
const MAX_REQUEST_BYTES = 64 * 1024;

export const GrpcStatus = { OK: 0, INVALID_ARGUMENT: 3, PERMISSION_DENIED: 7, UNIMPLEMENTED: 12 } as const;

/** Ends a call with only trailers (gRPC's "trailers-only" response). */
export function refuse(stream: ServerHttp2Stream, status: number, message: string): void {
  if (stream.destroyed || stream.headersSent) return;
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(status), 'grpc-message': encodeURIComponent(message) }, { endStream: true });
}

export function serveTap(hub: TapHub, stream: ServerHttp2Stream, path: string): void {
  if (path !== OBSERVE) return refuse(stream, GrpcStatus.UNIMPLEMENTED, `${path} is not a Tap API method; call ${OBSERVE}`);
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) refuse(stream, GrpcStatus.INVALID_ARGUMENT, 'the request is too large for an ObserveRequest');
    else chunks.push(chunk);
  });
  stream.on('error', () => stream.destroy());
  stream.once('end', () => {
    const request = decodeRequest(Buffer.concat(chunks));
    if (typeof request === 'string') return refuse(stream, GrpcStatus.INVALID_ARGUMENT, request);
    void observe(hub, stream, request);
  });
}

function decodeRequest(body: Buffer): ObserveRequest | string {
  if (body.length < 5) return 'the request carries no gRPC message';
  if (body[0] !== 0) return 'compressed requests are not supported; send the ObserveRequest uncompressed';
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) return 'the request must be exactly one gRPC message';
  try {
    return fromBinary(ObserveRequestSchema, body.subarray(5));
  } catch (err) {
    return `the request is not an ObserveRequest: ${(err as Error).message}`;
  }
}

async function observe(hub: TapHub, stream: ServerHttp2Stream, req: ObserveRequest): Promise<void> {
  if (stream.destroyed || stream.headersSent) return;
  const maxRps = Math.min(req.maxRps === 0 ? DEFAULT_MAX_RPS : req.maxRps, MAX_RPS_CEILING);
  const sub = hub.subscribe(tapFilter(req.match), maxRps);
  stream.once('close', () => sub.close());
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GrpcStatus.OK) }));
  for (let batch = await sub.take(BATCH_MS); batch.length > 0 && !stream.destroyed; batch = await sub.take(BATCH_MS)) {
    const message = encodeTapEvents(batch);
    const prefix = Buffer.allocUnsafe(5);
    prefix[0] = 0;
    prefix.writeUInt32BE(message.length, 1);
    // A reader that falls behind leaves events in the tap's bounded queue, not in the stream's buffer.
    if (!stream.write(Buffer.concat([prefix, message]))) await drained(stream);
  }
  // The hub closed the tap (the proxy is shutting down): end the call cleanly.
  if (!stream.destroyed) stream.end();
}

function drained(stream: ServerHttp2Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** The wire's Match as the hub's filter: unset (empty) fields constrain nothing. */
export function tapFilter(match: Match | undefined): TapFilter {
  if (match === undefined) return {};
  const labels = Object.entries(match.destinationLabels);
  return {
    ...(match.direction === Direction.INBOUND ? { direction: 'inbound' as const } : match.direction === Direction.OUTBOUND ? { direction: 'outbound' as const } : {}),
    ...(match.method ? { method: match.method } : {}),
    ...(match.authority ? { authority: match.authority } : {}),
    ...(match.pathPrefix ? { pathPrefix: match.pathPrefix } : {}),
    ...(labels.length > 0 ? { destinationLabels: match.destinationLabels } : {}),
  };
}
