// Outgoing frames, batched: frame headers and small payloads are copied into one block, large
// payloads are referenced, and everything queued in one tick leaves in a single socket write.
import type { Socket } from 'node:net';
import { Flag, FRAME_HEADER_SIZE, FrameType } from './constants.js';
import { writeFrameHeader } from './frames.js';

const BLOCK_SIZE = 16 * 1024;
/** Payloads up to this size are copied next to their header rather than referenced. */
const COPY_LIMIT = 1024;
/** Flush at once past this many pending bytes, so a bulk transfer does not pile up within a tick. */
const FLUSH_AT = 64 * 1024;

export class FrameWriter {
  private block = Buffer.allocUnsafe(BLOCK_SIZE);
  /** Start of the part of `block` not yet handed to `chunks`. */
  private blockStart = 0;
  private pos = 0;
  private readonly chunks: Buffer[] = [];
  private pending = 0;
  private scheduled = false;
  private closed = false;
  private readonly flushSoon = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly socket: Socket) {}

  /** Bytes queued but not yet handed to the socket. */
  get pendingBytes(): number {
    return this.pending;
  }

  /** One frame; the payload is copied when small and referenced (not to be modified) when large. */
  frame(type: number, flags: number, streamId: number, payload?: Buffer, offset = 0, length = payload ? payload.length - offset : 0): void {
    const copy = payload !== undefined && length <= COPY_LIMIT;
    const at = this.reserve(FRAME_HEADER_SIZE + (copy ? length : 0));
    writeFrameHeader(this.block, at, length, type, flags, streamId);
    if (payload !== undefined && length > 0) {
      if (copy) {
        payload.copy(this.block, at + FRAME_HEADER_SIZE, offset, offset + length);
      } else {
        this.seal();
        this.chunks.push(offset === 0 && length === payload.length ? payload : payload.subarray(offset, offset + length));
        this.added(length);
      }
    }
    this.flushIfLarge();
  }

  /** A header block as HEADERS plus as many CONTINUATION frames as maxFrameSize requires. */
  headers(streamId: number, block: Buffer, endStream: boolean, maxFrameSize: number): void {
    const endFlag = endStream ? Flag.END_STREAM : 0;
    if (block.length <= maxFrameSize) {
      this.copyFrame(FrameType.HEADERS, endFlag | Flag.END_HEADERS, streamId, block, 0, block.length);
      this.flushIfLarge();
      return;
    }
    this.copyFrame(FrameType.HEADERS, endFlag, streamId, block, 0, maxFrameSize);
    for (let at = maxFrameSize; at < block.length; at += maxFrameSize) {
      const length = Math.min(maxFrameSize, block.length - at);
      const last = at + length === block.length;
      this.copyFrame(FrameType.CONTINUATION, last ? Flag.END_HEADERS : 0, streamId, block, at, length);
    }
    this.flushIfLarge();
  }

  /** Bytes that are not a frame: the client connection preface. */
  raw(bytes: Buffer): void {
    const at = this.reserve(bytes.length);
    bytes.copy(this.block, at);
  }

  rstStream(streamId: number, code: number): void {
    const at = this.reserve(FRAME_HEADER_SIZE + 4);
    writeFrameHeader(this.block, at, 4, FrameType.RST_STREAM, 0, streamId);
    this.block.writeUInt32BE(code, at + FRAME_HEADER_SIZE);
    this.flushIfLarge();
  }

  windowUpdate(streamId: number, increment: number): void {
    const at = this.reserve(FRAME_HEADER_SIZE + 4);
    writeFrameHeader(this.block, at, 4, FrameType.WINDOW_UPDATE, 0, streamId);
    this.block.writeUInt32BE(increment, at + FRAME_HEADER_SIZE);
    this.flushIfLarge();
  }

  goAway(lastStreamId: number, code: number, debug = ''): void {
    const text = Buffer.from(debug.slice(0, 256), 'utf8');
    const payload = Buffer.allocUnsafe(8 + text.length);
    payload.writeUInt32BE(lastStreamId, 0);
    payload.writeUInt32BE(code, 4);
    text.copy(payload, 8);
    this.frame(FrameType.GOAWAY, 0, 0, payload);
  }

  /** Hands everything queued to the socket in one write. */
  flush(): void {
    this.seal();
    const chunks = this.chunks;
    if (chunks.length === 0) return;
    const socket = this.socket;
    if (this.closed || socket.destroyed) {
      chunks.length = 0;
      this.pending = 0;
      return;
    }
    if (chunks.length === 1) {
      socket.write(chunks[0] as Buffer);
    } else {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    }
    chunks.length = 0;
    this.pending = 0;
  }

  /** Drops whatever is queued; nothing more is written. */
  close(): void {
    this.closed = true;
    this.chunks.length = 0;
    this.pending = 0;
  }

  private copyFrame(type: number, flags: number, streamId: number, src: Buffer, offset: number, length: number): void {
    const at = this.reserve(FRAME_HEADER_SIZE + length);
    writeFrameHeader(this.block, at, length, type, flags, streamId);
    src.copy(this.block, at + FRAME_HEADER_SIZE, offset, offset + length);
  }

  /** Room for `size` bytes in the current block; returns their offset. */
  private reserve(size: number): number {
    if (this.pos + size > this.block.length) {
      this.seal();
      this.block = Buffer.allocUnsafe(Math.max(BLOCK_SIZE, size));
      this.blockStart = 0;
      this.pos = 0;
    }
    const at = this.pos;
    this.pos += size;
    this.added(size);
    return at;
  }

  /** Hands the filled part of the block to the chunk list; the block keeps filling after it. */
  private seal(): void {
    if (this.pos > this.blockStart) {
      this.chunks.push(this.block.subarray(this.blockStart, this.pos));
      this.blockStart = this.pos;
    }
  }

  private added(bytes: number): void {
    this.pending += bytes;
    if (!this.scheduled) {
      this.scheduled = true;
      // After every I/O callback of this loop turn: frames for many requests share one write.
      setImmediate(this.flushSoon);
    }
  }

  /** Called once a frame is complete: only then may its bytes be handed to the socket. */
  private flushIfLarge(): void {
    if (this.pending >= FLUSH_AT) this.flush();
  }
}
