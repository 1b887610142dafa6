// The 9-byte frame header (RFC 9113 §4.1) and a reader that cuts a byte stream into frames. A frame
// that lies within one socket chunk is handed on as a view of that chunk; only a frame split across
// chunks is copied together.
import { DEFAULT_MAX_FRAME_SIZE, ErrorCode, FRAME_HEADER_SIZE, FrameType } from './constants.js';
import { H2ConnectionError } from './errors.js';

export interface FrameHeader {
  length: number;
  type: number;
  flags: number;
  streamId: number;
}

export interface FrameHandler {
  onFrame(type: number, flags: number, streamId: number, payload: Buffer): void;
}

export function writeFrameHeader(
  buf: Buffer,
  at: number,
  length: number,
  type: number,
  flags: number,
  streamId: number,
): void {
  buf[at] = length >>> 16;
  buf[at + 1] = (length >>> 8) & 0xff;
  buf[at + 2] = length & 0xff;
  buf[at + 3] = type;
  buf[at + 4] = flags;
  buf.writeUInt32BE(streamId & 0x7fffffff, at + 5);
}

export function readFrameHeader(buf: Buffer, at = 0): FrameHeader {
  return {
    length: buf.readUIntBE(at, 3),
    type: buf.readUInt8(at + 3),
    flags: buf.readUInt8(at + 4),
    // The reserved high bit is ignored on receipt (§4.1).
    streamId: buf.readUInt32BE(at + 5) & 0x7fffffff,
  };
}

/** One whole frame as a new buffer; for rarely sent frames and tests. */
export function encodeFrame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_SIZE + payload.length);
  writeFrameHeader(frame, 0, payload.length, type, flags, streamId);
  payload.copy(frame, FRAME_HEADER_SIZE);
  return frame;
}

export class FrameReader {
  /** The largest payload accepted: the SETTINGS_MAX_FRAME_SIZE we advertised. */
  maxFrameSize: number;
  /**
   * A connection's first frame must be SETTINGS (RFC 9113 §3.4); checked on its header, so garbage
   * after the preface is a PROTOCOL_ERROR rather than whatever its first bytes happen to mean.
   */
  requireSettingsFirst = false;
  /** A frame whose header arrived but whose payload is still incomplete. */
  private partial: Buffer | null = null;
  private partialFilled = 0;
  /** The start of a frame header split across chunks. */
  private readonly head = Buffer.alloc(FRAME_HEADER_SIZE);
  private headFilled = 0;
  private stopped = false;

  constructor(
    private readonly handler: FrameHandler,
    maxFrameSize = DEFAULT_MAX_FRAME_SIZE,
  ) {
    this.maxFrameSize = maxFrameSize;
  }

  /** No further frames are delivered; the connection is gone. */
  stop(): void {
    this.stopped = true;
    this.partial = null;
  }

  /** Delivers every frame completed by `chunk`. Throws H2ConnectionError(FRAME_SIZE_ERROR). */
  push(chunk: Buffer): void {
    let at = 0;
    if (this.headFilled > 0 || this.partial !== null) {
      at = this.continuePartial(chunk);
      if (at < 0) return;
    }
    const end = chunk.length;
    while (!this.stopped && end - at >= FRAME_HEADER_SIZE) {
      const length = this.checkedLength(chunk, at);
      const payloadEnd = at + FRAME_HEADER_SIZE + length;
      if (payloadEnd > end) break;
      this.handler.onFrame(
        chunk.readUInt8(at + 3),
        chunk.readUInt8(at + 4),
        chunk.readUInt32BE(at + 5) & 0x7fffffff,
        chunk.subarray(at + FRAME_HEADER_SIZE, payloadEnd),
      );
      at = payloadEnd;
    }
    if (!this.stopped && at < end) this.keep(chunk, at);
  }

  private checkedLength(buf: Buffer, at: number): number {
    if (this.requireSettingsFirst) {
      const type = buf.readUInt8(at + 3);
      if (type !== FrameType.SETTINGS) {
        throw new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, `the first frame must be SETTINGS, got frame type ${type}`);
      }
      this.requireSettingsFirst = false;
    }
    const length = buf.readUIntBE(at, 3);
    if (length > this.maxFrameSize) {
      throw new H2ConnectionError(
        ErrorCode.FRAME_SIZE_ERROR,
        `frame of ${length} bytes exceeds SETTINGS_MAX_FRAME_SIZE ${this.maxFrameSize}`,
      );
    }
    return length;
  }

  /** Keeps the incomplete frame at the end of `chunk` for the next one. */
  private keep(chunk: Buffer, at: number): void {
    const rest = chunk.length - at;
    if (rest < FRAME_HEADER_SIZE) {
      chunk.copy(this.head, 0, at);
      this.headFilled = rest;
      return;
    }
    this.partial = Buffer.allocUnsafe(FRAME_HEADER_SIZE + this.checkedLength(chunk, at));
    chunk.copy(this.partial, 0, at);
    this.partialFilled = rest;
  }

  /** Completes the kept frame from `chunk`; returns where the rest starts, or -1 if nothing is left. */
  private continuePartial(chunk: Buffer): number {
    let at = 0;
    if (this.partial === null) {
      at = Math.min(FRAME_HEADER_SIZE - this.headFilled, chunk.length);
      chunk.copy(this.head, this.headFilled, 0, at);
      this.headFilled += at;
      if (this.headFilled < FRAME_HEADER_SIZE) return -1;
      this.headFilled = 0;
      this.partial = Buffer.allocUnsafe(FRAME_HEADER_SIZE + this.checkedLength(this.head, 0));
      this.head.copy(this.partial);
      this.partialFilled = FRAME_HEADER_SIZE;
    }
    const frame = this.partial;
    const take = Math.min(frame.length - this.partialFilled, chunk.length - at);
    chunk.copy(frame, this.partialFilled, at, at + take);
    this.partialFilled += take;
    at += take;
    if (this.partialFilled < frame.length) return -1;
    this.partial = null;
    this.handler.onFrame(
      frame.readUInt8(3),
      frame.readUInt8(4),
      frame.readUInt32BE(5) & 0x7fffffff,
      frame.subarray(FRAME_HEADER_SIZE),
    );
    return at < chunk.length && !this.stopped ? at : -1;
  }
}
