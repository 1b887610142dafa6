// Reads the server name (SNI) from a TLS ClientHello, so the inbound side can tell a peer proxy
// asking for this proxy's identity (terminate mTLS here) from TLS meant for the app (pass through).

const RECORD_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 0x01;
const EXT_SERVER_NAME = 0x0000;
/** A TLS record body is at most 2^14 bytes plus expansion (RFC 8446 §5.2). */
const MAX_RECORD = 5 + 16_384 + 256;

/** undefined: need more bytes; true: one whole handshake record; false: not TLS. */
export function isCompleteTlsRecord(buf: Buffer): boolean | undefined {
  if (buf[0] !== RECORD_HANDSHAKE) return false;
  if (buf.length >= 2 && buf[1] !== 0x03) return false;
  if (buf.length < 5) return undefined;
  const length = buf.readUInt16BE(3);
  if (5 + length > MAX_RECORD) return false;
  return buf.length >= 5 + length ? true : undefined;
}

/** The SNI host name of the ClientHello in the first record of `buf`, or undefined if it has none. */
export function clientHelloServerName(buf: Buffer): string | undefined {
  if (buf.length < 6) return undefined;
  const end = Math.min(buf.length, 5 + buf.readUInt16BE(3));
  let at = 5;
  if (buf[at] !== HANDSHAKE_CLIENT_HELLO) return undefined;
  at += 4 + 2 + 32; // handshake header, legacy_version, random
  const skip = (lengthBytes: 1 | 2): boolean => {
    if (at + lengthBytes > end) return false;
    at += lengthBytes + (lengthBytes === 1 ? (buf[at] as number) : buf.readUInt16BE(at));
    return at <= end;
  };
  // legacy_session_id, cipher_suites, legacy_compression_methods
  if (!skip(1) || !skip(2) || !skip(1) || at + 2 > end) return undefined;
  const extEnd = Math.min(end, at + 2 + buf.readUInt16BE(at));
  at += 2;
  while (at + 4 <= extEnd) {
    const type = buf.readUInt16BE(at);
    const length = buf.readUInt16BE(at + 2);
    at += 4;
    if (type === EXT_SERVER_NAME) return serverName(buf.subarray(at, Math.min(at + length, extEnd)));
    at += length;
  }
  return undefined;
}

function serverName(ext: Buffer): string | undefined {
  // server_name_list: length(2), then entries of name_type(1) length(2) name.
  let at = 2;
  while (at + 3 <= ext.length) {
    const type = ext[at] as number;
    const length = ext.readUInt16BE(at + 1);
    at += 3;
    if (at + length > ext.length) return undefined;
    if (type === 0) return ext.toString('latin1', at, at + length).toLowerCase();
    at += length;
  }
  return undefined;
}
