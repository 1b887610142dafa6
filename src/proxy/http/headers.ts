// Header conversion between HTTP/1 and HTTP/2 and the hop-by-hop rules of RFC 9110 §7.6.1.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { HeaderList } from './types.js';

/** Marks an HTTP/1 request carried over an HTTP/2 hop between proxies, so the far side restores it. */
export const ORIG_PROTO_HEADER = 'loom-orig-proto';
export const PROXY_ERROR_HEADER = 'loom-proxy-error';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'expect', // the proxy answers 100-continue itself
  'host', // carried as the authority
  ORIG_PROTO_HEADER,
]);

function connectionTokens(value: string | undefined): Set<string> | null {
  if (!value) return null;
  const tokens = value.toLowerCase().split(',').map((t) => t.trim()).filter((t) => t !== 'close' && t !== 'keep-alive' && t !== '');
  return tokens.length > 0 ? new Set(tokens) : null;
}

function isDropped(name: string, value: string, extra: Set<string> | null): boolean {
  if (HOP_BY_HOP.has(name)) return true;
  if (name === 'te') return value.trim().toLowerCase() !== 'trailers';
  return extra !== null && extra.has(name);
}

/** HTTP/1 raw headers ([k, v, k, v]) to a HeaderList without hop-by-hop fields. */
export function fromRawHeaders(raw: string[], connection: string | undefined): HeaderList {
  const extra = connectionTokens(connection);
  const out: HeaderList = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    if (!isDropped(name, value, extra)) out.push(name, value);
  }
  return out;
}

/** A parsed header object (HTTP/2 or undici) to a HeaderList; pseudo-headers and hop-by-hop dropped. */
export function fromHeaderObject(headers: IncomingHttpHeaders): HeaderList {
  const conn = headers['connection'];
  const extra = connectionTokens(Array.isArray(conn) ? conn.join(',') : conn);
  const out: HeaderList = [];
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 /* ':' */) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const v of value) if (!isDropped(name, v, extra)) out.push(name, v);
    } else if (!isDropped(name, value, extra)) {
      out.push(name, value);
    }
  }
  return out;
}

/** A HeaderList to an HTTP/2 header object, merging repeated names into arrays. */
export function toHeaderObject(list: HeaderList, into: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i] as string;
    const value = list[i + 1] as string;
    const prev = into[name];
    if (prev === undefined) into[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else into[name] = [String(prev), value];
  }
  return into;
}

/** Whether a HeaderList names a gRPC exchange (its content-type starts with application/grpc). */
export function isGrpc(list: HeaderList): boolean {
  for (let i = 0; i < list.length; i += 2) {
    if (list[i] === 'content-type') return (list[i + 1] as string).startsWith('application/grpc');
  }
  return false;
}

export function headerValue(list: HeaderList, name: string): string | undefined {
  for (let i = 0; i < list.length; i += 2) if (list[i] === name) return list[i + 1];
  return undefined;
}

/**
 * A grpc-message value: the gRPC spec percent-encodes only bytes outside printable ASCII and '%'
 * itself, so readable messages stay readable to every client.
 */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
