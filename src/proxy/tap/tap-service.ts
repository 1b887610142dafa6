// The Tap gRPC service: each Observe call opens a tap on the hub and streams its events until the
// caller goes away.
import { create } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import { Direction, Tap, TapEventSchema, type Match, type TapEvent } from '../../api/gen/loom/tap/v1/tap_pb.js';
import type { TapEventRecord } from './tap-event.js';
import type { TapHub } from './tap-hub.js';
import type { TapFilter } from './tap-match.js';

const DEFAULT_MAX_RPS = 100;
/** A tap is a debugging view, not an export pipeline. */
const MAX_RPS_CEILING = 10_000;

export function tapService(hub: TapHub): ServiceImpl<typeof Tap> {
  return {
    async *observe(req, ctx) {
      const maxRps = Math.min(req.maxRps === 0 ? DEFAULT_MAX_RPS : req.maxRps, MAX_RPS_CEILING);
      const sub = hub.subscribe(tapFilter(req.match), maxRps);
      const stop = (): void => sub.close();
      ctx.signal.addEventListener('abort', stop);
      try {
        for await (const event of sub) yield toMessage(event);
      } finally {
        ctx.signal.removeEventListener('abort', stop);
        sub.close();
      }
    },
  };
}

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

function toMessage(e: TapEventRecord): TapEvent {
  return create(TapEventSchema, {
    ...e,
    id: BigInt(e.id),
    direction: e.direction === 'inbound' ? Direction.INBOUND : Direction.OUTBOUND,
    source: { ...e.source, labels: { ...e.source.labels } },
    destination: { ...e.destination, labels: { ...e.destination.labels } },
    event: e.event.case === 'responseEnd' ? { case: 'responseEnd', value: { ...e.event.value, responseBytes: BigInt(e.event.value.responseBytes) } } : e.event,
  });
}
