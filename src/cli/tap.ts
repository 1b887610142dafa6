// `loom tap <target>`: every request and response of a workload, live, as its proxies see them —
// method, authority, path, status, latency, and whether each hop was mTLS and between which identities.
import { endpointName } from '../control/tap/top-rows.js';
import type { TapLine } from '../control/tap/tap-line.js';
import type { CliIO } from './io.js';
import { openTapStream, type TapRequest } from './tap-stream.js';

export interface TapOptions extends TapRequest {
  output: string;
}

const GRPC_STATUS = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

/** Runs until `signal` aborts (Ctrl-C) or the tap stream ends. */
export async function runTap(opts: TapOptions, io: CliIO, signal: AbortSignal): Promise<number> {
  if (!['table', 'wide', 'json'].includes(opts.output)) {
    io.err(`loom tap: unknown output "${opts.output}"; supported: table (one line per event, the default), wide, json\n`);
    return 2;
  }
  const stream = await openTapStream(opts, io, 'tap', signal);
  if (typeof stream === 'number') return stream;
  for await (const line of stream) io.out(opts.output === 'json' ? `${JSON.stringify(line)}\n` : `${formatTapLine(line, opts.output === 'wide')}\n`);
  return 0;
}

/** Linkerd's tap format: `req|rsp|end id=... proxy=in|out src=... dst=... tls=... <fields>`. */
export function formatTapLine(l: TapLine, wide: boolean): string {
  const head = [
    { request: 'req', response: 'rsp', end: 'end' }[l.type],
    `id=${l.id}`,
    `proxy=${l.direction === 'inbound' ? 'in ' : 'out'}`,
    `src=${endpointName(l.source)}`,
    `dst=${endpointName(l.destination)}`,
    `tls=${l.tls}`,
    // The identities once per request (on its head) unless asked for wide lines.
    ...(wide || l.type === 'request' ? [`src_id=${l.source.identity || '-'}`, `dst_id=${l.destination.identity || '-'}`] : []),
    ...(wide ? [`src_addr=${l.source.address}`, `dst_addr=${l.destination.address}`] : []),
  ];
  const ms = (v: number | undefined): string => `${(v ?? 0).toFixed(1)}ms`;
  if (l.type === 'request') return [...head, `:method=${l.method}`, `:authority=${l.authority}`, `:path=${l.path}`].join(' ');
  if (l.type === 'response') return [...head, `:status=${l.status}`, `latency=${ms(l.latencyMs)}`].join(' ');
  return [
    ...head,
    ...(l.grpcStatus === undefined ? [`:status=${l.status}`] : [`grpc-status=${GRPC_STATUS[l.grpcStatus] ?? l.grpcStatus}`]),
    `duration=${ms(l.latencyMs)}`,
    `response-length=${l.responseBytes ?? 0}B`,
    ...(l.error ? [`error=${l.error}`] : []),
    ...(wide ? [`:method=${l.method}`, `:path=${l.path}`] : []),
  ].join(' ');
}

/** `deploy/web` or `pod/web-0` when the end is a known workload, else its address. */
