// The tap API's query string, checked: what to tap (namespace, kind, name), an optional --to
// destination, request filters and a rate limit.
export type TapKind = 'namespace' | 'workload' | 'pod';

export interface TapResource {
  namespace: string;
  kind: TapKind;
  /** '' for a namespace. */
  name: string;
}

export interface TapQuery extends TapResource {
  to?: TapResource;
  method?: string;
  path?: string;
  authority?: string;
  maxRps: number;
}

const KINDS: readonly TapKind[] = ['namespace', 'workload', 'pod'];
export const DEFAULT_TAP_MAX_RPS = 100;

export function parseTapQuery(p: URLSearchParams): TapQuery | { error: string } {
  const namespace = p.get('namespace') ?? '';
  const kind = (p.get('kind') ?? 'workload') as TapKind;
  const name = p.get('name') ?? '';
  if (namespace === '') return { error: 'namespace is required' };
  if (!KINDS.includes(kind)) return { error: `kind "${kind}" is not one of ${KINDS.join(', ')}` };
  if (kind !== 'namespace' && name === '') return { error: `a ${kind} tap needs a name` };
  const query: TapQuery = { namespace, kind, name: kind === 'namespace' ? '' : name, maxRps: DEFAULT_TAP_MAX_RPS };
  const toKind = p.get('to_kind');
  if (toKind !== null) {
    const to = { namespace: p.get('to_namespace') ?? namespace, kind: toKind as TapKind, name: p.get('to_name') ?? '' };
    if (!KINDS.includes(to.kind)) return { error: `to_kind "${toKind}" is not one of ${KINDS.join(', ')}` };
    if (to.kind !== 'namespace' && to.name === '') return { error: `--to ${to.kind} needs a name` };
    query.to = to;
  }
  for (const key of ['method', 'path', 'authority'] as const) {
    const value = p.get(key);
    if (value !== null && value !== '') query[key] = value;
  }
  const maxRps = p.get('max_rps');
  if (maxRps !== null) {
    const n = Number(maxRps);
    if (!Number.isFinite(n) || n < 1 || n > 10_000) return { error: `max_rps "${maxRps}" must be a number of requests per second from 1 to 10000` };
    query.maxRps = n;
  }
  return query;
}
