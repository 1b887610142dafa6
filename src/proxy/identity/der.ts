// Just enough DER (X.690) to write a certificate signing request: lengths, tags and the few
// universal types PKCS#10 uses.

function tlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  if (n > 0xffff) throw new RangeError('DER value too long for this encoder');
  return Buffer.concat([Buffer.from([tag, ...length]), content]);
}

export const sequence = (...items: Uint8Array[]): Buffer => tlv(0x30, Buffer.concat(items));
export const set = (...items: Uint8Array[]): Buffer => tlv(0x31, Buffer.concat(items));
export const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
export const ia5 = (text: string): Buffer => tlv(0x16, Buffer.from(text, 'latin1'));
export const octetString = (content: Uint8Array): Buffer => tlv(0x04, content);
export const bitString = (content: Uint8Array): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));

export function smallInteger(value: number): Buffer {
  if (value < 0 || value > 127) throw new RangeError('only 0..127 are encoded here');
  return tlv(0x02, Buffer.from([value]));
}

/** Context-specific tag [n]: implicit (replaces the inner tag, primitive) or explicit/constructed. */
export function contextTag(n: number, inner: Buffer, constructed = false): Buffer {
  if (constructed) {
    // [n] IMPLICIT over a constructed value keeps its content and takes the constructed form.
    return tlv(0xa0 | n, innerContent(inner));
  }
  return tlv(0x80 | n, innerContent(inner));
}

function innerContent(encoded: Buffer): Buffer {
  const first = encoded[1] as number;
  const header = first < 0x80 ? 2 : 2 + (first & 0x7f);
  return encoded.subarray(header);
}

export function objectId(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [40 * (parts[0] as number) + (parts[1] as number)];
  for (const part of parts.slice(2)) {
    const chunk = [part & 0x7f];
    for (let v = part >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}
