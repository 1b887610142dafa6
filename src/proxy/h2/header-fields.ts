// Decoded header fields to the proxy's shapes, with the checks RFC 9113 §8.2-8.3 asks of a receiver:
// lower-case token names, values without NUL/CR/LF, pseudo-headers first and only known ones, no
// connection-specific fields. A list that fails them is malformed and its stream is reset.
import type { HeaderList, Trailers } from '../http/types.js';

/** Lower-case tchar (RFC 9110 §5.6.2): the characters an HTTP/2 field name may use. */
const NAME_CHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") NAME_CHAR[c.charCodeAt(0)] = 1;

/** Fields that belong to one HTTP/1 connection and make an HTTP/2 message malformed (§8.2.2). */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

export function isValidFieldName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) if (NAME_CHAR[name.charCodeAt(i)] !== 1) return false;
  return true;
}

export function isValidFieldValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x00 || c === 0x0a || c === 0x0d || c > 0xff) return false;
  }
  return true;
}

/** A regular field as it may be passed on, or false if it makes the message malformed. */
function isAcceptableField(name: string, value: string): boolean {
  if (!isValidFieldName(name) || !isValidFieldValue(value)) return false;
  if (CONNECTION_SPECIFIC.has(name)) return false;
  return name !== 'te' || value === 'trailers';
}

export interface RequestHead {
  method: string;
  scheme: string;
  authority: string;
  path: string;
  /** Regular fields, without `loom-orig-proto` and `host` (carried as the authority). */
  headers: HeaderList;
  /** The request was HTTP/1.1 before the hop (loom-orig-proto: HTTP/1.1). */
  http1: boolean;
}

/** A request's decoded fields; a string says why they are malformed. */
export function parseRequestHead(fields: string[], origProtoHeader: string): RequestHead | string {
  let method: string | undefined;
  let scheme: string | undefined;
  let authority: string | undefined;
  let path: string | undefined;
  let host: string | undefined;
  let http1 = false;
  const headers: HeaderList = [];
  let i = 0;
  for (; i < fields.length; i += 2) {
    const name = fields[i] as string;
    if (name.charCodeAt(0) !== 58 /* ':' */) break;
    const value = fields[i + 1] as string;
    if (name === ':method' && method === undefined) method = value;
    else if (name === ':scheme' && scheme === undefined) scheme = value;
    else if (name === ':authority' && authority === undefined) authority = value;
    else if (name === ':path' && path === undefined) path = value;
    else return `pseudo-header ${name} is unknown or repeated`;
  }
  for (; i < fields.length; i += 2) {
    const name = fields[i] as string;
    const value = fields[i + 1] as string;
    if (!isAcceptableField(name, value)) return `field ${JSON.stringify(name)} is not allowed in HTTP/2`;
    if (name === origProtoHeader) http1 = value === 'HTTP/1.1';
    else if (name === 'host') host ??= value;
    else headers.push(name, value);
  }
  if (method === undefined) return 'no :method';
  if (method !== 'CONNECT' && (scheme === undefined || path === undefined || path === '')) return 'no :scheme or :path';
  return {
    method,
    scheme: scheme ?? 'http',
    authority: authority ?? host ?? '',
    path: path ?? '/',
    headers,
    http1,
  };
}

export interface ResponseHead {
  status: number;
  headers: HeaderList;
}

/** A response's decoded fields; a string says why they are malformed. */
export function parseResponseHead(fields: string[]): ResponseHead | string {
  let status = -1;
  const headers: HeaderList = [];
  let i = 0;
  for (; i < fields.length; i += 2) {
    const name = fields[i] as string;
    if (name.charCodeAt(0) !== 58 /* ':' */) break;
    if (name !== ':status' || status !== -1) return `pseudo-header ${name} is unknown or repeated`;
    const value = fields[i + 1] as string;
    status = value.length === 3 ? Number(value) : NaN;
    if (!Number.isInteger(status) || status < 100) return `:status ${JSON.stringify(value)}`;
  }
  if (status === -1) return 'no :status';
  for (; i < fields.length; i += 2) {
    const name = fields[i] as string;
    const value = fields[i + 1] as string;
    if (!isAcceptableField(name, value)) return `field ${JSON.stringify(name)} is not allowed in HTTP/2`;
    headers.push(name, value);
  }
  return { status, headers };
}

/** A trailers block as an object; repeated names collect into arrays. A string says why it is malformed. */
export function parseTrailers(fields: string[]): Trailers | string {
  const trailers: Trailers = {};
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i] as string;
    const value = fields[i + 1] as string;
    if (name.charCodeAt(0) === 58 /* ':' */) return `pseudo-header ${name} in trailers`;
    if (!isAcceptableField(name, value)) return `field ${JSON.stringify(name)} is not allowed in HTTP/2`;
    const prev = trailers[name];
    if (prev === undefined) trailers[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else trailers[name] = [prev, value];
  }
  return trailers;
}

/** Trailers worth a HEADERS frame: at least one defined value. */
export function hasTrailers(trailers: Trailers | null): trailers is Trailers {
  if (trailers === null) return false;
  for (const name in trailers) if (trailers[name] !== undefined) return true;
  return false;
}
