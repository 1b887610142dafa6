// HPACK's static Huffman code (RFC 7541 Appendix B), decoding only: peers other than Loom proxies
// (nghttp2, browsers, gRPC libraries) Huffman-code their header strings. The code is canonical, so
// the code length of each symbol (0-255, then EOS) is all that is stored; codes follow from them.
import { ErrorCode } from './constants.js';
import { H2ConnectionError } from './errors.js';

// prettier-ignore
const CODE_LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
];
const EOS = 256;

/** A binary decoding tree in flat arrays: child[node*2 + bit], symbol at leaves (-1 inside). */
const child = new Int16Array(2 * 2 * CODE_LENGTHS.length).fill(-1);
const symbol = new Int16Array(2 * CODE_LENGTHS.length).fill(-1);

function buildTree(): void {
  const order = CODE_LENGTHS.map((length, sym) => ({ length, sym })).sort((a, b) => a.length - b.length || a.sym - b.sym);
  let nodes = 1;
  let code = 0;
  let previous = order[0]?.length ?? 0;
  order.forEach(({ length, sym }, i) => {
    if (i > 0) code = (code + 1) << (length - previous);
    previous = length;
    let node = 0;
    for (let bit = length - 1; bit >= 0; bit--) {
      const slot = node * 2 + ((code >>> bit) & 1);
      if (bit === 0) {
        child[slot] = nodes;
        symbol[nodes++] = sym;
      } else {
        if (child[slot] === -1) child[slot] = nodes++;
        node = child[slot] as number;
      }
    }
  });
}
buildTree();

function compressionError(message: string): H2ConnectionError {
  return new H2ConnectionError(ErrorCode.COMPRESSION_ERROR, `HPACK Huffman: ${message}`);
}

/** Decodes a Huffman-coded string literal (RFC 7541 §5.2) into a latin1 string. */
export function decodeHuffman(data: Buffer, start: number, end: number): string {
  const out: number[] = [];
  let node = 0;
  /** Bits read since the last symbol, and whether all of them were 1s (valid padding so far). */
  let pending = 0;
  let allOnes = true;
  for (let i = start; i < end; i++) {
    const byte = data[i] as number;
    for (let bit = 7; bit >= 0; bit--) {
      const b = (byte >>> bit) & 1;
      node = child[node * 2 + b] as number;
      if (node === -1) throw compressionError('invalid code');
      pending++;
      allOnes &&= b === 1;
      const sym = symbol[node] as number;
      if (sym !== -1) {
        if (sym === EOS) throw compressionError('EOS inside a string literal');
        out.push(sym);
        node = 0;
        pending = 0;
        allOnes = true;
      }
    }
  }
  // What is left must be the start of EOS (all 1s) and shorter than a byte.
  if (pending > 7 || !allOnes) throw compressionError('invalid padding');
  return Buffer.from(out).toString('latin1');
}
