// HPACK decoding (RFC 7541) of complete header blocks: indexed fields, the three literal forms,
// dynamic table size updates, a dynamic table with eviction, and Huffman-coded strings (which Loom's
// own encoder never sends, but nghttp2 and gRPC libraries do).
import { DEFAULT_HEADER_TABLE_SIZE, ErrorCode } from './constants.js';
import { H2ConnectionError } from './errors.js';
import { HpackDynamicTable } from './hpack-dynamic-table.js';
import { decodeHuffman } from './hpack-huffman.js';
import { STATIC_TABLE, STATIC_TABLE_LENGTH } from './hpack-static-table.js';

/** RFC 9113 §6.5.2 counts each field as name + value + 32 octets. */
const FIELD_OVERHEAD = 32;
const EMPTY = Buffer.alloc(0);

export class HpackDecoder {
  readonly table: HpackDynamicTable;
  private block: Buffer = EMPTY;
  private pos = 0;

  /**
   * `tableSizeLimit` is the SETTINGS_HEADER_TABLE_SIZE we advertise. Fields past
   * `maxHeaderListSize` are decoded (the table must stay in step) but not returned.
   */
  constructor(
    private readonly tableSizeLimit = DEFAULT_HEADER_TABLE_SIZE,
    private readonly maxHeaderListSize = Infinity,
  ) {
    this.table = new HpackDynamicTable(tableSizeLimit);
  }

  /**
   * Appends the block's fields to `out` as name, value, name, value ... and returns the header
   * list size; a size above maxHeaderListSize means `out` was cut short. Throws
   * H2ConnectionError(COMPRESSION_ERROR) on anything undecodable.
   */
  decode(block: Buffer, out: string[]): number {
    this.block = block;
    this.pos = 0;
    let listSize = 0;
    let fieldsSeen = false;
    try {
      while (this.pos < block.length) {
        const first = block.readUInt8(this.pos);
        let name: string;
        let value: string;
        if (first & 0x80) {
          // Indexed header field (§6.1).
          const index = this.integer(7);
          name = this.nameAt(index);
          value = this.valueAt(index);
        } else if (first & 0x40) {
          // Literal with incremental indexing (§6.2.1).
          const index = this.integer(6);
          name = index === 0 ? this.string() : this.nameAt(index);
          value = this.string();
          this.table.add(name, value);
        } else if (first & 0x20) {
          // Dynamic table size update (§6.3): only before the block's first field (§4.2).
          if (fieldsSeen) throw this.fail('dynamic table size update after a header field');
          const max = this.integer(5);
          if (max > this.tableSizeLimit) throw this.fail(`table size ${max} exceeds the ${this.tableSizeLimit} we allow`);
          this.table.setMaxSize(max);
          continue;
        } else {
          // Literal without indexing (0000) or never indexed (0001) (§6.2.2, §6.2.3).
          const index = this.integer(4);
          name = index === 0 ? this.string() : this.nameAt(index);
          value = this.string();
        }
        fieldsSeen = true;
        listSize += name.length + value.length + FIELD_OVERHEAD;
        if (listSize <= this.maxHeaderListSize) out.push(name, value);
      }
    } finally {
      this.block = EMPTY;
    }
    return listSize;
  }

  /** An integer with an N-bit prefix (§5.1), kept below 2^31. */
  private integer(prefixBits: number): number {
    const block = this.block;
    const max = (1 << prefixBits) - 1;
    let value = block.readUInt8(this.pos++) & max;
    if (value < max) return value;
    let factor = 1;
    let byte: number;
    do {
      if (this.pos >= block.length) throw this.fail('truncated integer');
      byte = block.readUInt8(this.pos++);
      value += (byte & 0x7f) * factor;
      factor *= 128;
      if (value > 0x7fffffff) throw this.fail('integer overflow');
    } while (byte & 0x80);
    return value;
  }

  /** A string literal (§5.2), bytes read as latin1 like node:http's header values. */
  private string(): string {
    const block = this.block;
    if (this.pos >= block.length) throw this.fail('truncated string');
    const huffman = (block.readUInt8(this.pos) & 0x80) !== 0;
    const length = this.integer(7);
    const end = this.pos + length;
    if (end > block.length) throw this.fail('string runs past the end of the header block');
    const s = huffman ? decodeHuffman(block, this.pos, end) : block.toString('latin1', this.pos, end);
    this.pos = end;
    return s;
  }

  private nameAt(index: number): string {
    if (index === 0) throw this.fail('index 0');
    if (index <= STATIC_TABLE_LENGTH) return (STATIC_TABLE[index - 1] as readonly [string, string])[0];
    return this.table.name(this.dynamicIndex(index));
  }

  private valueAt(index: number): string {
    if (index <= STATIC_TABLE_LENGTH) return (STATIC_TABLE[index - 1] as readonly [string, string])[1];
    return this.table.value(this.dynamicIndex(index));
  }

  private dynamicIndex(index: number): number {
    const i = index - STATIC_TABLE_LENGTH - 1;
    if (i >= this.table.length) throw this.fail(`index ${index} is not in the table`);
    return i;
  }

  private fail(message: string): H2ConnectionError {
    return new H2ConnectionError(ErrorCode.COMPRESSION_ERROR, `HPACK: ${message}`);
  }
}
