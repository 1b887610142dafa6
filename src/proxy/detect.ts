// Protocol detection on an accepted connection: read just enough of the client's first bytes to
// tell an HTTP/2 preface from an HTTP/1 request line; anything else, or silence until the detect
// timeout, is opaque TCP. The bytes read are put back so the chosen server sees the whole stream.
import type { Socket } from 'node:net';
import { hasLoomMarker } from './h2/marker.js';
import { clientHelloServerName, isCompleteTlsRecord } from './tls/client-hello.js';

/**
 * 'loom-h2': HTTP/2 from another Loom proxy (its first SETTINGS carry the Loom marker).
 * 'tls': a TLS ClientHello; `serverName` says whom it is for.
 */
export type Detected = 'loom-h2' | 'h2' | 'http1' | 'tls' | 'opaque' | 'closed';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** Longest method token we wait for before deciding a stream is not HTTP/1. */
const MAX_METHOD_LENGTH = 16;

function classify(buf: Buffer): Detected | undefined {
  if (buf[0] === 0x16) {
    const tls = isCompleteTlsRecord(buf);
    if (tls !== false) return tls ? 'tls' : undefined;
  }
  const n = Math.min(buf.length, H2_PREFACE.length);
  if (buf.compare(H2_PREFACE, 0, n, 0, n) === 0) {
    if (n < H2_PREFACE.length) return undefined;
    const loom = hasLoomMarker(buf);
    return loom === undefined ? undefined : loom ? 'loom-h2' : 'h2';
  }
  for (let i = 0; i < buf.length && i <= MAX_METHOD_LENGTH; i++) {
    const c = buf[i] as number;
    if (c === 0x20) return i > 0 ? 'http1' : 'opaque';
    const isTokenChar = (c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x5f; // A-Z - _
    if (!isTokenChar) return 'opaque';
  }
  return buf.length > MAX_METHOD_LENGTH ? 'opaque' : undefined;
}

/**
 * Resolves with the protocol once decided. The socket is left paused with the peeked bytes
 * unshifted; the caller hands it to a server.
 */
export interface Detection {
  protocol: Detected;
  /** The client half-closed before detection decided: these bytes, then EOF, are its whole stream. */
  final?: Buffer;
  /** For 'tls': the ClientHello's SNI, if any. */
  serverName?: string;
}

export function detectProtocol(socket: Socket, timeoutMs: number): Promise<Detection> {
  return new Promise((resolve) => {
    let seen: Buffer = Buffer.alloc(0);
    const finish = (result: Detected, final?: Buffer): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.pause();
      // After 'end' has been emitted a stream refuses unshift(); the bytes travel as `final` instead.
      if (final === undefined && seen.length > 0) socket.unshift(seen);
      const detection: Detection = final === undefined ? { protocol: result } : { protocol: result, final };
      if (result === 'tls') {
        const name = clientHelloServerName(seen);
        if (name !== undefined) detection.serverName = name;
      }
      resolve(detection);
    };
    const onData = (chunk: Buffer): void => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      const result = classify(seen);
      if (result) finish(result);
    };
    // A complete HTTP/2 preface whose first frame is still incomplete is plain HTTP/2.
    const undecided = (): Detected => (seen.length >= H2_PREFACE.length && seen.compare(H2_PREFACE, 0, H2_PREFACE.length, 0, H2_PREFACE.length) === 0 ? 'h2' : 'opaque');
    const onEnd = (): void => (seen.length > 0 ? finish(undecided(), seen) : finish('closed'));
    const timer = setTimeout(() => finish(undecided()), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
  });
}
