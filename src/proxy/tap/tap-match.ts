// A tap's filter, compiled once when the tap opens and tested against each request's head.
import type { ProxyRequest } from '../http/types.js';

export type TapDirection = 'inbound' | 'outbound';

export interface TapFilter {
  direction?: TapDirection;
  method?: string;
  authority?: string;
  pathPrefix?: string;
  /** Outbound only: the destination endpoint carries every one of these labels. */
  destinationLabels?: Readonly<Record<string, string>>;
}

export type TapMatcher = (req: ProxyRequest, direction: TapDirection, destinationLabels: Readonly<Record<string, string>>) => boolean;

export function compileTapFilter(filter: TapFilter): TapMatcher {
  const method = filter.method?.toUpperCase();
  const authority = filter.authority?.toLowerCase();
  const { direction, pathPrefix } = filter;
  const labels = Object.entries(filter.destinationLabels ?? {});
  // A destination filter only makes sense for requests this proxy sends.
  const wantDirection = labels.length > 0 ? 'outbound' : direction;
  return (req, dir, destinationLabels) =>
    (wantDirection === undefined || dir === wantDirection) &&
    (method === undefined || req.method.toUpperCase() === method) &&
    (authority === undefined || req.authority.toLowerCase() === authority) &&
    (pathPrefix === undefined || req.path.startsWith(pathPrefix)) &&
    labels.every(([k, v]) => destinationLabels[k] === v);
}
