// `loom dtab list|get|create|update|delete`: namerctl's verbs against the control plane's dtab API.
// Files are parsed here first so a typo is reported as file:line:column before anything is sent.
import { readFile } from 'node:fs/promises';
import { InvalidNamespaceError, isValidNamespace } from '../control/dtab/dtab-store.js';
import { parseDtab } from '../routing/dtab/index.js';
import type { CliIO } from './io.js';
import { controllerAdminUrl } from './metrics-client.js';

export type DtabCommand =
  | { verb: 'list' }
  | { verb: 'get'; namespace: string }
  | { verb: 'create'; namespace: string; file: string }
  | { verb: 'update'; namespace: string; file: string; version?: string }
  | { verb: 'delete'; namespace: string };

const API = '/api/1/dtabs';

/** Runs one verb; 0 on success, 1 when the control plane refuses or fails, 2 for bad input. */
export async function runDtab(command: DtabCommand, io: CliIO, stateDir: string, readStdin: () => Promise<string> = stdinText): Promise<number> {
  const fail = (code: number, message: string): number => (io.err(`loom dtab: ${message}\n`), code);
  if (command.verb !== 'list' && !isValidNamespace(command.namespace)) return fail(2, new InvalidNamespaceError(command.namespace).message);
  let body: string | undefined;
  if (command.verb === 'create' || command.verb === 'update') {
    const read = await dtabFile(command.file, readStdin);
    if ('problem' in read) return fail(2, read.problem);
    body = read.text;
  }
  const admin = await controllerAdminUrl(stateDir, io, 'dtab');
  if (typeof admin === 'number') return admin;
  const client = new DtabClient(admin);
  try {
    if (command.verb === 'list') {
      const res = await client.send('GET', API);
      if (res.status !== 200) return fail(...(await refusal(res, command)));
      const names: unknown = await res.json();
      if (!Array.isArray(names)) return fail(1, `the control plane's ${API} did not answer a list of namespaces; is the mesh running a current \`loom up\`?`);
      io.out(names.length === 0 ? '(no dtabs; create one with `loom dtab create <namespace> <file>`)\n' : names.map((n) => `${n}\n`).join(''));
      return 0;
    }
    const path = `${API}/${command.namespace}`;
    if (command.verb === 'get') {
      const res = await client.send('GET', path, { accept: 'application/dtab' });
      if (res.status !== 200) return fail(...(await refusal(res, command)));
      const text = await res.text();
      io.out(`${text}${text === '' || text.endsWith('\n') ? '' : '\n'}# version ${etag(res)}\n`);
      return 0;
    }
    if (command.verb === 'delete') {
      const res = await client.send('DELETE', path);
      if (res.status !== 204) return fail(...(await refusal(res, command)));
      io.out(`namespace ${command.namespace} deleted\n`);
      return 0;
    }
    const text = { 'content-type': 'application/dtab' };
    if (command.verb === 'create') {
      const res = await client.send('POST', path, text, body);
      if (res.status !== 201) return fail(...(await refusal(res, command)));
      io.out(`namespace ${command.namespace} created (version ${etag(res)})\n`);
      return 0;
    }
    let version = command.version;
    if (version === undefined) {
      // Without --version, compare against what is there now, so a concurrent change is still caught.
      const current = await client.send('GET', path, { accept: 'application/dtab' });
      if (current.status !== 200) return fail(...(await refusal(current, command)));
      version = etag(current);
    }
    const res = await client.send('PUT', path, { ...text, 'if-match': `"${version}"` }, body);
    if (res.status !== 204) return fail(...(await refusal(res, command, version)));
    io.out(`namespace ${command.namespace} updated (version ${etag(res)})\n`);
    return 0;
  } catch (err) {
    return fail(1, `the control plane's dtab API at ${admin} did not answer (${(err as Error).message}); check \`loom check\``);
  }
}

class DtabClient {
  constructor(private readonly base: string) {}

  send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Response> {
    return fetch(`${this.base}${path}`, { method, headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(5000) });
  }
}

/** The exit code and message for an answer that is not the verb's success. */
async function refusal(res: Response, command: DtabCommand, version?: string): Promise<[number, string]> {
  const text = await res.text();
  let answer: { error?: string; version?: string } = {};
  try {
    answer = (JSON.parse(text) as typeof answer | null) ?? {};
  } catch {
    // Not the dtab API answering (e.g. a controller that predates it): say what came back.
  }
  const ns = 'namespace' in command ? command.namespace : '';
  if (answer.error === undefined) return [1, `the control plane answered ${res.status} without a dtab API error (${text.trim().slice(0, 80)}); is the mesh running a current \`loom up\`?`];
  if (res.status === 412) return [1, `namespace ${ns} changed since version ${version} (now ${answer.version}); run \`loom dtab get ${ns}\` and retry`];
  if (res.status === 404) return [1, `namespace ${ns} has no dtab; \`loom dtab list\` lists them, \`loom dtab create ${ns} <file>\` makes one`];
  if (res.status === 409) return [1, `namespace ${ns} already has a dtab; change it with \`loom dtab update ${ns} <file>\``];
  return [res.status === 400 || res.status === 413 || res.status === 415 ? 2 : 1, answer.error];
}

function etag(res: Response): string {
  return (res.headers.get('etag') ?? '').replace(/^"(.*)"$/, '$1');
}

/** The file's text once it parses as a dtab, or what is wrong with it; `-` is standard input. */
async function dtabFile(file: string, readStdin: () => Promise<string>): Promise<{ text: string } | { problem: string }> {
  const name = file === '-' ? '<stdin>' : file;
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    return { problem: `cannot read ${name} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a file holding the dtab, or - to read standard input` };
  }
  const parsed = parseDtab(text);
  if (parsed.ok) return { text };
  const e = parsed.error;
  return { problem: `${name}:${e.line}:${e.column}: ${e.expected}, found ${e.found}; fix the dtab and retry` };
}

async function stdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
