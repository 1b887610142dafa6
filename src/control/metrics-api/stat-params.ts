// GET /api/stat's query string: kind, namespace, name, window, and to/from as `<kind>/<name>` with
// toNamespace/fromNamespace (defaulting to the namespace). Canonical kinds only; the CLI maps aliases.
import { STAT_KINDS, type ResourceRef, type StatKind, type StatQuery } from './stat-query.js';

/** The longest window: `loom stat -t 1h`. */
export const MAX_WINDOW_MS = 3_600_000;

export class StatParamError extends Error {}

/** A window like 30s, 1m or 1h, in milliseconds; undefined when it is not one. */
export function parseWindow(text: string): number | undefined {
  const m = /^(\d+)(s|m|h)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
}

export function parseStatParams(params: URLSearchParams, windowMs: number): StatQuery {
  const kind = parseKind(params.get('kind') ?? 'workload', 'kind');
  const namespace = params.get('namespace') ?? undefined;
  const name = params.get('name') ?? undefined;
  const to = parseResourceRef(params, 'to', namespace);
  const from = parseResourceRef(params, 'from', namespace);
  if (to && from) throw new StatParamError('to and from cannot be combined: ask for one direction at a time');
  if (from?.kind === 'service') throw new StatParamError('from: a service sends no traffic; name the namespace, workload or pod that calls it');
  return { kind, windowMs, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}), ...(to ? { to } : {}), ...(from ? { from } : {}) };
}

function parseKind(text: string, param: string): StatKind {
  if (!STAT_KINDS.includes(text as StatKind)) throw new StatParamError(`${param} "${text}" is not one of ${STAT_KINDS.join(', ')}`);
  return text as StatKind;
}

/** `to` or `from` as `<kind>/<name>`, its namespace from `toNamespace`/`fromNamespace` or the default; undefined when absent. */
export function parseResourceRef(params: URLSearchParams, param: 'to' | 'from', defaultNamespace: string | undefined): ResourceRef | undefined {
  const text = params.get(param);
  if (text === null) return undefined;
  const [kindText = '', name] = text.split('/', 2);
  const kind = parseKind(kindText, param);
  const namespace = kind === 'namespace' ? name : (params.get(`${param}Namespace`) ?? defaultNamespace);
  if (namespace === undefined || namespace === '') throw new StatParamError(`${param}: name the namespace of ${text} (${param}Namespace=...)`);
  return { kind, namespace, ...(name && kind !== 'namespace' ? { name } : {}) };
}
