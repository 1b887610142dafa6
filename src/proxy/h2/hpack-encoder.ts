// HPACK encoding (RFC 7541) without state: exact static-table matches become indexed fields, all
// else "literal without indexing" with the name indexed when the static table has it. No Huffman
// and no dynamic table, so encoding costs little more than copying the strings.
import { DEFAULT_HEADER_TABLE_SIZE } from './constants.js';
import { STATIC_NAMES } from './hpack-static-table.js';
import type { HeaderList, Trailers } from '../http/types.js';

/** :status values with an indexed entry of their own (static entries 8-14). */
const STATUS_INDEX = new Map<number, number>([
  [200, 8],
  [204, 9],
  [206, 10],
  [304, 11],
  [400, 12],
  [404, 13],
  [500, 14],
]);
const STATUS_NAME_INDEX = 8;
/** Octets an integer may take beyond its literal: a prefix byte and four continuation bytes. */
const INTEGER_MAX = 6;

export class HpackEncoder {
  private buf = Buffer.allocUnsafe(4096);
  private pos = 0;
  private announcedTableSize = DEFAULT_HEADER_TABLE_SIZE;
  private pendingTableSize = -1;

  /**
   * The peer's SETTINGS_HEADER_TABLE_SIZE. We never index, but a strict decoder expects a size
   * update to acknowledge a shrunken table (RFC 7541 §4.2), so one is sent with the next block.
   */
  setPeerTableSize(size: number): void {
    if (size < this.announcedTableSize) {
      this.announcedTableSize = size;
      this.pendingTableSize = size;
    }
  }

  /** Starts a header block; finish() returns it. */
  begin(): void {
    this.pos = 0;
    if (this.pendingTableSize >= 0) {
      this.integer(0x20, 5, this.pendingTableSize);
      this.pendingTableSize = -1;
    }
  }

  field(name: string, value: string): void {
    const entry = STATIC_NAMES.get(name);
    if (entry !== undefined) {
      const exact = entry.values?.get(value);
      if (exact !== undefined) {
        this.ensure(INTEGER_MAX);
        this.integer(0x80, 7, exact);
        return;
      }
      this.ensure(2 * INTEGER_MAX + value.length);
      this.integer(0x00, 4, entry.index);
    } else {
      this.ensure(3 * INTEGER_MAX + name.length + value.length);
      this.buf[this.pos++] = 0x00;
      this.string(name);
    }
    this.string(value);
  }

  status(code: number): void {
    const index = STATUS_INDEX.get(code);
    if (index !== undefined) {
      this.ensure(INTEGER_MAX);
      this.integer(0x80, 7, index);
      return;
    }
    this.ensure(2 * INTEGER_MAX + 3);
    this.integer(0x00, 4, STATUS_NAME_INDEX);
    this.string(String(code));
  }

  list(headers: HeaderList): void {
    for (let i = 0; i < headers.length; i += 2) this.field(headers[i] as string, headers[i + 1] as string);
  }

  trailers(trailers: Trailers): void {
    for (const name in trailers) {
      const value = trailers[name];
      if (value === undefined) continue;
      if (typeof value === 'string') this.field(name, value);
      else for (const v of value) this.field(name, v);
    }
  }

  /** The encoded block; valid until the next begin(). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** An integer with an N-bit prefix (RFC 7541 §5.1); `pattern` holds the representation's flag bits. */
  private integer(pattern: number, prefixBits: number, value: number): void {
    const max = (1 << prefixBits) - 1;
    if (value < max) {
      this.buf[this.pos++] = pattern | value;
      return;
    }
    this.buf[this.pos++] = pattern | max;
    let rest = value - max;
    while (rest >= 128) {
      this.buf[this.pos++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.buf[this.pos++] = rest;
  }

  /** A string literal without Huffman; one octet per character, as node:http sends header bytes. */
  private string(s: string): void {
    this.integer(0x00, 7, s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}
