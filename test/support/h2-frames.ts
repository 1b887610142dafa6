// Raw HTTP/2 frames for tests that must send what no well-behaved client would (RFC 9113 §4, §6).
import net, { type Socket } from 'node:net';

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const H2Error = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  FRAME_SIZE_ERROR: 0x6,
} as const;

export const Flag = { ACK: 0x1, END_STREAM: 0x1, END_HEADERS: 0x4 } as const;

export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** One frame; `length` overrides the 24-bit length field (the payload is still written as given). */
export function encodeFrame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0), length = payload.length): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(length, 0, 3);
  head.writeUInt8(type, 3);
  head.writeUInt8(flags, 4);
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

/** A SETTINGS frame from [identifier, value] pairs. */
export function settingsFrame(settings: [number, number][] = []): Buffer {
  const payload = Buffer.alloc(settings.length * 6);
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return encodeFrame(FrameType.SETTINGS, 0, 0, payload);
}

/** Splits complete frames off the front of `buf`; `rest` is an incomplete tail. */
export function decodeFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let at = 0;
  while (buf.length - at >= 9) {
    const length = buf.readUIntBE(at, 3);
    if (buf.length - at < 9 + length) break;
    frames.push({
      type: buf.readUInt8(at + 3),
      flags: buf.readUInt8(at + 4),
      streamId: buf.readUInt32BE(at + 5) & 0x7fffffff,
      payload: buf.subarray(at + 9, at + 9 + length),
    });
    at += 9 + length;
  }
  return { frames, rest: buf.subarray(at) };
}

export interface GoAway {
  lastStreamId: number;
  errorCode: number;
  debug: string;
}

export function parseGoAway(frame: Frame): GoAway {
  return {
    lastStreamId: frame.payload.readUInt32BE(0) & 0x7fffffff,
    errorCode: frame.payload.readUInt32BE(4),
    debug: frame.payload.subarray(8).toString('utf8'),
  };
}

/**
 * A hand-driven HTTP/2 client connection: sends the preface and an empty SETTINGS, acknowledges
 * the server's SETTINGS, and records every frame the server sends until it closes.
 */
export class RawH2Connection {
  readonly frames: Frame[] = [];
  /** Resolves when the server closes the connection (or it errors). */
  readonly closed: Promise<void>;
  private readonly socket: Socket;
  private pending: Buffer = Buffer.alloc(0);
  private readonly waiters = new Set<() => void>();

  private constructor(addr: string) {
    const colon = addr.lastIndexOf(':');
    this.socket = net.connect(Number(addr.slice(colon + 1)), addr.slice(0, colon));
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.once('close', () => this.notify());
  }

  /** Connects and completes the SETTINGS exchange. */
  static async open(addr: string, timeoutMs = 2000): Promise<RawH2Connection> {
    const conn = new RawH2Connection(addr);
    conn.socket.write(Buffer.concat([CLIENT_PREFACE, settingsFrame()]));
    await conn.waitFor((f) => f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) === 0, timeoutMs);
    conn.socket.write(encodeFrame(FrameType.SETTINGS, Flag.ACK, 0));
    return conn;
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  /** The first received frame matching `match`, waiting up to `timeoutMs` (rejects on close or timeout). */
  waitFor(match: (f: Frame) => boolean, timeoutMs = 2000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.frames.find(match);
        if (found) return done(() => resolve(found));
        if (this.socket.destroyed) return done(() => reject(new Error('connection closed before the expected frame arrived')));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no matching frame within ${timeoutMs}ms`))), timeoutMs);
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    const { frames, rest } = decodeFrames(Buffer.concat([this.pending, chunk]));
    this.pending = rest;
    this.frames.push(...frames);
    this.notify();
  }

  private notify(): void {
    for (const check of [...this.waiters]) check();
  }
}
