// `loom tap` and `loom top` read the same thing: the control plane's merged tap stream for a target,
// one JSON line per request event, until the user stops or the mesh goes away.
import type { TapLine } from '../control/tap/tap-line.js';
import type { CliIO } from './io.js';
import { controllerAdminUrl } from './metrics-client.js';
import { kindNamed } from './resource-kinds.js';

export interface TapRequest {
  /** ns/<name>, deploy/<name> or pod/<name> */
  target: string;
  namespace: string;
  /** deploy/<name>, pod/<name> or ns/<name>: only requests the target sends there. */
  to?: string;
  toNamespace?: string;
  method?: string;
  path?: string;
  authority?: string;
  maxRps: number;
  stateDir: string;
}

/** The query for /api/tap, or a usage message. */
export function tapQuery(r: TapRequest): URLSearchParams | { usage: string } {
  const target = resource(r.target, r.namespace);
  if ('usage' in target) return target;
  const query = new URLSearchParams({ namespace: target.namespace, kind: target.kind, name: target.name, max_rps: String(r.maxRps) });
  if (!(r.maxRps >= 1)) return { usage: `--max-rps "${r.maxRps}" must be at least 1 request per second` };
  if (r.to !== undefined) {
    const to = resource(r.to, r.toNamespace ?? target.namespace);
    if ('usage' in to) return { usage: `--to: ${to.usage}` };
    query.set('to_namespace', to.namespace);
    query.set('to_kind', to.kind);
    query.set('to_name', to.name);
  }
  for (const key of ['method', 'path', 'authority'] as const) if (r[key]) query.set(key, r[key]);
  return query;
}

function resource(text: string, namespace: string): { namespace: string; kind: string; name: string } | { usage: string } {
  const [kindText = '', name = '', ...rest] = text.split('/');
  if (rest.length > 0) return { usage: `"${text}" is not a resource; write kind/name, e.g. deploy/web` };
  const kind = kindNamed(kindText, ['namespace', 'workload', 'pod'] as const);
  if (kind === undefined) return { usage: `unknown kind "${kindText}"; use ns/<name>, deploy/<name> or pod/<name>, e.g. deploy/web` };
  if (name === '') return { usage: `"${text}" names no ${kindText}; write ${kindText}/<name>` };
  return kind === 'namespace' ? { namespace: name, kind, name } : { namespace, kind, name };
}

/** Streams the tap's lines; an exit code when it could not start. Errors from single proxies go to stderr. */
export async function openTapStream(r: TapRequest, io: CliIO, command: string, signal: AbortSignal): Promise<AsyncIterable<TapLine> | number> {
  const query = tapQuery(r);
  if ('usage' in query) {
    io.err(`loom ${command}: ${query.usage}\n`);
    return 2;
  }
  const admin = await controllerAdminUrl(r.stateDir, io, command);
  if (typeof admin === 'number') return admin;
  let res: Response;
  try {
    res = await fetch(`${admin}/api/tap?${query}`, { signal });
  } catch (err) {
    if (signal.aborted) return 0;
    io.err(`loom ${command}: the control plane's tap API at ${admin} did not answer (${(err as Error).message}); check \`loom check\`\n`);
    return 1;
  }
  if (res.status !== 200 || res.body === null) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    io.err(`loom ${command}: ${body.error ?? `the control plane answered ${res.status}`}\n`);
    return res.status === 400 ? 2 : 1;
  }
  return lines(res.body, io, command);
}

async function* lines(body: ReadableStream<Uint8Array>, io: CliIO, command: string): AsyncGenerator<TapLine> {
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for await (const chunk of body) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = parse(buffered.slice(0, newline), io, command);
        buffered = buffered.slice(newline + 1);
        if (line) yield line;
      }
    }
    const last = parse(buffered, io, command);
    if (last) yield last;
  } catch (err) {
    // Stopped by the user (the fetch was aborted), or the control plane went away.
    if ((err as Error).name !== 'AbortError') io.err(`loom ${command}: the tap stream ended: ${(err as Error).message}\n`);
  }
}

/** A line of the stream; errors from single proxies are told on stderr, blank or unreadable lines skipped. */
function parse(text: string, io: CliIO, command: string): TapLine | undefined {
  if (text.trim() === '') return undefined;
  let line: TapLine | { type: 'error'; pod: string; message: string };
  try {
    line = JSON.parse(text) as typeof line;
  } catch {
    io.err(`loom ${command}: skipped an unreadable line from the control plane: ${text.slice(0, 80)}\n`);
    return undefined;
  }
  if (line.type !== 'error') return line;
  io.err(`loom ${command}: cannot tap ${line.pod}: ${line.message}\n`);
  return undefined;
}
