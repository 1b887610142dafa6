// `loom diagnose <name|url>`: one request's path through the running mesh — route, backends, dtab
// delegation, bound names and endpoints — as the control plane's diagnose API explains it.
import type { Diagnosis } from '../routing/diagnose.js';
import { formatDiagnosis } from '../routing/diagnose-format.js';
import type { CliIO } from './io.js';
import { controllerAdminUrl } from './metrics-client.js';

export interface DiagnoseOptions {
  /** host:port or an http(s) URL. */
  target: string;
  dtabNamespace: string;
  method?: string;
  /** Default: the URL's path, or /. */
  path?: string;
  /** `name:value` each. */
  headers: string[];
  dtab?: string;
  output: string;
  stateDir: string;
}

const API = '/api/diagnose';

/** 0 with the diagnosis printed, 2 for bad input, 1 when the control plane cannot answer. */
export async function runDiagnose(opts: DiagnoseOptions, io: CliIO): Promise<number> {
  const fail = (code: number, message: string): number => (io.err(`loom diagnose: ${message}\n`), code);
  if (opts.output !== 'text' && opts.output !== 'json') return fail(2, `unknown output "${opts.output}"; supported: text, json`);
  const admin = await controllerAdminUrl(opts.stateDir, io, 'diagnose');
  if (typeof admin === 'number') return admin;
  const query = new URLSearchParams({ name: opts.target, dtabNamespace: opts.dtabNamespace });
  if (opts.method !== undefined) query.set('method', opts.method);
  if (opts.path !== undefined) query.set('path', opts.path);
  if (opts.dtab !== undefined) query.set('dtab', opts.dtab);
  for (const header of opts.headers) query.append('header', header);
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${admin}${API}?${query}`, { signal: AbortSignal.timeout(5000) });
    text = await res.text();
  } catch (err) {
    return fail(1, `the control plane's diagnose API at ${admin} did not answer (${(err as Error).message}); check \`loom check\``);
  }
  let body: (Partial<Diagnosis> & { error?: unknown }) | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  if (res.status === 400 && typeof body?.error === 'string') return fail(2, body.error);
  if (res.status !== 200 || !Array.isArray(body?.outcomes)) {
    return fail(1, `the control plane answered ${res.status} without a diagnosis (${text.trim().slice(0, 80)}); is the mesh running a current \`loom up\`?`);
  }
  io.out(opts.output === 'json' ? `${JSON.stringify(body, null, 2)}\n` : formatDiagnosis(body as Diagnosis));
  return 0;
}
