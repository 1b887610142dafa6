// namerd's dtab HTTP API on the controller's admin port: list, read (JSON or the dtab language, the
// version in ETag), watch as JSON lines, and create/update/delete with If-Match compare-and-set.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dtabToJson, parseDtabBody, readBody, type DtabBodyError } from './dtab-body.js';
import { DtabNotFoundError, DtabStaleVersionError, DtabStoreError, isValidNamespace, InvalidNamespaceError, type DtabEntry, type DtabStore } from './dtab-store.js';
import { replyJson } from '../json-reply.js';

export const DTAB_API_PATH = '/api/1/dtabs';
export const MAX_DTAB_BODY_BYTES = 64 * 1024;

const STATUS: Record<DtabStoreError['code'], number> = { exists: 409, not_found: 404, stale_version: 412, invalid_namespace: 400 };

export class DtabApi {
  constructor(readonly store: DtabStore) {}

  /** Answers /api/1/dtabs and /api/1/dtabs/<ns>; false when the path is not this API's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://controller');
    const path = url.pathname.replace(/\/+$/, '');
    if (path === DTAB_API_PATH) {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      replyJson(res, 200, this.store.list());
      return true;
    }
    if (!path.startsWith(`${DTAB_API_PATH}/`)) return false;
    const ns = decodeNamespace(path.slice(DTAB_API_PATH.length + 1));
    if (ns === undefined || !isValidNamespace(ns)) {
      replyJson(res, 400, { error: new InvalidNamespaceError(ns ?? path.slice(DTAB_API_PATH.length + 1)).message });
      return true;
    }
    switch (req.method) {
      case 'GET':
        this.get(ns, url.searchParams.get('watch'), req, res);
        return true;
      case 'DELETE':
        this.answer(res, () => {
          this.store.delete(ns);
          return { status: 204 };
        });
        return true;
      case 'POST':
      case 'PUT':
        // Reading the body fails only when the client went away mid-request: nobody is left to answer.
        this.write(ns, req, res).catch(() => res.destroy());
        return true;
      default:
        return methodNotAllowed(res, 'GET, POST, PUT, DELETE');
    }
  }

  private get(ns: string, watch: string | null, req: IncomingMessage, res: ServerResponse): void {
    if (watch !== null && watch !== 'true' && watch !== 'false') return replyJson(res, 400, { error: `watch=${watch} is not a boolean; use watch=true to stream changes` });
    const entry = this.store.get(ns);
    if (entry === undefined) return replyJson(res, 404, { error: new DtabNotFoundError(ns).message });
    if (watch === 'true') return this.watch(ns, entry, res);
    const etag = `"${entry.version}"`;
    if ((req.headers.accept ?? '').includes('application/dtab')) {
      res.writeHead(200, { 'content-type': 'application/dtab', etag });
      res.end(entry.text);
      return;
    }
    replyJson(res, 200, dtabToJson(entry.dtab), { etag });
  }

  /** The current dtab as a JSON line, then one line per change until the client goes away. */
  private watch(ns: string, entry: DtabEntry, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    const send = (e: DtabEntry | undefined): void => {
      const line = e === undefined ? { namespace: ns, deleted: true } : { namespace: ns, version: e.version, dtab: dtabToJson(e.dtab) };
      res.write(`${JSON.stringify(line)}\n`);
    };
    send(entry);
    const stop = this.store.watch((changed, e) => {
      if (changed === ns) send(e);
    });
    res.on('close', stop);
  }

  private async write(ns: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, MAX_DTAB_BODY_BYTES);
    if (body === undefined) {
      res.setHeader('connection', 'close');
      return replyJson(res, 413, { error: `the dtab is larger than ${MAX_DTAB_BODY_BYTES / 1024} KiB; split routing across namespaces or shorten it` });
    }
    const dtab = parseDtabBody(req.headers['content-type'], body);
    if ('error' in dtab) return replyJson(res, dtab.status, errorBody(dtab));
    if (req.method === 'POST') {
      return this.answer(res, () => {
        const created = this.store.create(ns, dtab.dtab);
        return { status: 201, body: { namespace: ns, version: created.version }, etag: created.version };
      });
    }
    const ifMatch = parseIfMatch(req.headers['if-match']);
    this.answer(res, () => ({ status: 204, etag: this.store.update(ns, dtab.dtab, ifMatch).version }));
  }

  /** Runs a store change and replies with its outcome or the store's error as JSON. */
  private answer(res: ServerResponse, change: () => { status: number; body?: unknown; etag?: string }): void {
    let outcome: ReturnType<typeof change>;
    try {
      outcome = change();
    } catch (err) {
      if (err instanceof DtabStaleVersionError) return replyJson(res, 412, { error: err.message, version: err.current });
      if (err instanceof DtabStoreError) return replyJson(res, STATUS[err.code], { error: err.message });
      return replyJson(res, 500, { error: `the dtab store failed: ${(err as Error).message}; check the controller's log and disk` });
    }
    const headers: Record<string, string> = outcome.etag === undefined ? {} : { etag: `"${outcome.etag}"` };
    if (outcome.body === undefined) res.writeHead(outcome.status, headers).end();
    else replyJson(res, outcome.status, outcome.body, headers);
  }
}

function errorBody(e: DtabBodyError): Record<string, unknown> {
  const { status: _status, ...body } = e;
  return body;
}

function decodeNamespace(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The version an If-Match names; `*` (any version) and an absent header impose none. */
function parseIfMatch(header: string | undefined): string | undefined {
  const value = header?.trim().replace(/^W\//, '');
  if (value === undefined || value === '' || value === '*') return undefined;
  return value.replace(/^"(.*)"$/, '$1');
}

function methodNotAllowed(res: ServerResponse, allow: string): true {
  replyJson(res, 405, { error: `method not allowed here; use ${allow}` }, { allow });
  return true;
}

