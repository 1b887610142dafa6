// Outbound DATA under flow control (RFC 9113 §5.2, §6.9): never more than the peer's connection and
// stream windows allow, split to its maximum frame size, queued per stream while a window or the
// socket is full and resumed by WINDOW_UPDATE or the socket's drain.
import type { Socket } from 'node:net';
import { DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW_SIZE, Flag, FrameType } from './constants.js';
import type { FrameWriter } from './frame-writer.js';
import type { HpackEncoder } from './hpack-encoder.js';
import { SEND_QUEUE_LOW, type H2Stream } from './stream.js';
import type { Trailers } from '../http/types.js';

export class SendScheduler {
  /** The peer's connection-level window. */
  connectionWindow = DEFAULT_WINDOW_SIZE;
  /** The peer's SETTINGS_MAX_FRAME_SIZE. */
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  /** Streams with queued DATA held back by the connection window or the socket, in arrival order. */
  private readonly waiting = new Set<H2Stream>();

  constructor(
    private readonly writer: FrameWriter,
    private readonly socket: Socket,
    private readonly encoder: HpackEncoder,
    /** END_STREAM has been sent for the stream. */
    private readonly onLocalEnd: (stream: H2Stream) => void,
  ) {
    socket.on('drain', () => this.resume());
  }

  write(stream: H2Stream, chunk: Buffer): void {
    const n = chunk.length;
    if (stream.localClosed || stream.endPending || n === 0) return;
    if (
      stream.queuedBytes === 0 &&
      n <= stream.sendWindow &&
      n <= this.connectionWindow &&
      n <= this.maxFrameSize &&
      !this.socket.writableNeedDrain
    ) {
      stream.sendWindow -= n;
      this.connectionWindow -= n;
      this.writer.frame(FrameType.DATA, 0, stream.id, chunk);
      return;
    }
    (stream.sendQueue ??= []).push(chunk);
    stream.queuedBytes += n;
    this.pump(stream);
  }

  /** Ends the stream after its queued DATA: with trailers when there are any, else END_STREAM on DATA. */
  end(stream: H2Stream, trailers: Trailers | null): void {
    if (stream.localClosed || stream.endPending) return;
    stream.endPending = true;
    stream.trailers = trailers;
    if (stream.queuedBytes === 0) this.finish(stream);
    else this.pump(stream);
  }

  /** Sends what the windows allow from the stream's queue. */
  pump(stream: H2Stream): void {
    const queue = stream.sendQueue;
    if (queue !== null && stream.queuedBytes > 0 && !stream.localClosed) {
      const endOnData = stream.endPending && stream.trailers === null;
      while (stream.queuedBytes > 0) {
        if (this.socket.writableNeedDrain || this.connectionWindow <= 0) {
          this.waiting.add(stream);
          break;
        }
        const head = queue[0] as Buffer;
        const n = Math.min(head.length - stream.sendOffset, stream.sendWindow, this.connectionWindow, this.maxFrameSize);
        // A closed stream window waits for the stream's own WINDOW_UPDATE.
        if (n <= 0) break;
        const last = n === stream.queuedBytes;
        this.writer.frame(FrameType.DATA, last && endOnData ? Flag.END_STREAM : 0, stream.id, head, stream.sendOffset, n);
        stream.sendWindow -= n;
        this.connectionWindow -= n;
        stream.queuedBytes -= n;
        stream.sendOffset += n;
        if (stream.sendOffset === head.length) {
          queue.shift();
          stream.sendOffset = 0;
        }
        if (last && endOnData) {
          stream.localClosed = true;
          this.onLocalEnd(stream);
          return;
        }
      }
    }
    if (stream.queuedBytes === 0 && stream.endPending && !stream.localClosed) this.finish(stream);
    if (stream.drainWanted && stream.queuedBytes <= SEND_QUEUE_LOW && !stream.closed) {
      stream.drainWanted = false;
      stream.onSendDrained();
    }
  }

  /** The peer's WINDOW_UPDATE on stream 0; the caller has checked for overflow. */
  addConnectionWindow(increment: number): void {
    this.connectionWindow += increment;
    this.resume();
  }

  /** Drops whatever the stream still had queued. */
  forget(stream: H2Stream): void {
    this.waiting.delete(stream);
    stream.sendQueue = null;
    stream.queuedBytes = 0;
    stream.sendOffset = 0;
  }

  private resume(): void {
    if (this.waiting.size === 0) return;
    const streams = [...this.waiting];
    this.waiting.clear();
    for (const stream of streams) this.pump(stream);
  }

  private finish(stream: H2Stream): void {
    stream.localClosed = true;
    const trailers = stream.trailers;
    if (trailers === null) {
      this.writer.frame(FrameType.DATA, Flag.END_STREAM, stream.id);
    } else {
      this.encoder.begin();
      this.encoder.trailers(trailers);
      this.writer.headers(stream.id, this.encoder.finish(), true, this.maxFrameSize);
    }
    this.onLocalEnd(stream);
  }
}
