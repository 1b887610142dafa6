// What the dtab API reads and writes: a dtab as namerd's JSON array of {prefix, dst} or in the dtab
// language, and request bodies with a size limit. Parse errors say where, as the user wrote it.
import type { IncomingMessage } from 'node:http';
import { nameTreeToString, parseDentry, parseDtab, pathToString, type Dentry, type Dtab, type DtabParseError } from '../../routing/dtab/index.js';

export interface DentryJson {
  prefix: string;
  dst: string;
}

export interface DtabBodyError {
  status: 400 | 415;
  error: string;
  /** Where a dtab-language body fails to parse. */
  line?: number;
  column?: number;
  /** Where a JSON body fails: the 1-based entry and its field. */
  entry?: number;
  field?: 'prefix' | 'dst';
}

export function dtabToJson(dtab: Dtab): DentryJson[] {
  return dtab.map((d) => ({ prefix: pathToString(d.prefix), dst: nameTreeToString(d.tree) }));
}

/** The body's dtab by its content type (application/dtab or application/json), or why it is not one. */
export function parseDtabBody(contentType: string | undefined, body: string): { dtab: Dtab } | DtabBodyError {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/dtab') {
    const parsed = parseDtab(body);
    if (parsed.ok) return { dtab: parsed.value };
    const { line, column } = parsed.error;
    return { status: 400, error: `invalid dtab at line ${line}, column ${column}: ${problem(parsed.error)}`, line, column };
  }
  if (type === 'application/json') return dtabFromJson(body);
  return { status: 415, error: `content type "${contentType ?? ''}" is not a dtab; send Content-Type: application/dtab (e.g. "/svc => /#/loom.svc/default/8080;") or application/json ([{"prefix": "/svc", "dst": "..."}])` };
}

function dtabFromJson(body: string): { dtab: Dtab } | DtabBodyError {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return { status: 400, error: `the body is not JSON (${(err as Error).message}); send an array like [{"prefix": "/svc", "dst": "/#/loom.svc/default/8080"}]` };
  }
  if (!Array.isArray(value)) return { status: 400, error: 'a JSON dtab is an array like [{"prefix": "/svc", "dst": "/#/loom.svc/default/8080"}]' };
  const dtab: Dentry[] = [];
  for (const [i, item] of (value as unknown[]).entries()) {
    const { prefix, dst } = (typeof item === 'object' && item !== null ? item : {}) as { prefix?: unknown; dst?: unknown };
    if (typeof prefix !== 'string' || typeof dst !== 'string') {
      return { status: 400, error: `entry ${i + 1} of the dtab is not {"prefix": "<path>", "dst": "<name tree>"}`, entry: i + 1 };
    }
    const parsed = parseDentry(`${prefix}=>${dst}`);
    if (parsed.ok) {
      dtab.push(parsed.value);
      continue;
    }
    // Parsed as one dentry, so map the offset back to the field the user wrote.
    const offset = parsed.error.offset;
    const [field, column] = offset <= prefix.length ? (['prefix', offset + 1] as const) : (['dst', Math.max(1, offset - prefix.length - 1)] as const);
    return { status: 400, error: `invalid dtab in entry ${i + 1}, "${field}" column ${column}: ${problem(parsed.error)}`, entry: i + 1, field, column };
  }
  return { dtab };
}

function problem(err: DtabParseError): string {
  return `${err.expected}, found ${err.found}`;
}

/** The body as text, or undefined once it passes `limit` bytes (the rest is discarded unread). */
export function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      const before = size;
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (before <= limit) {
        chunks.length = 0;
        resolve(undefined);
      }
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks).toString('utf8') : undefined));
    req.on('error', reject);
  });
}
