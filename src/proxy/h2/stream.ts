// What every HTTP/2 stream of a Loom connection keeps: its flow-control windows in both directions,
// the DATA waiting for the peer's window, and which halves are closed. The client and server streams
// add what they do with the frames.
import type { Trailers } from '../http/types.js';

/** Queued-but-unsent bytes above which a writer is told to wait (its write returns false). */
export const SEND_QUEUE_HIGH = 64 * 1024;
/** ... and at or below which it is told to resume. */
export const SEND_QUEUE_LOW = 16 * 1024;

export abstract class H2Stream {
  id = 0;

  // Outbound: the peer's window for this stream and the DATA waiting for it.
  sendWindow = 0;
  sendQueue: Buffer[] | null = null;
  /** Bytes of sendQueue[0] already sent. */
  sendOffset = 0;
  queuedBytes = 0;
  /** END_STREAM goes out once the queue is empty, in a trailers HEADERS frame if there are any. */
  endPending = false;
  trailers: Trailers | null = null;
  /** A writer was told to wait and waits for onSendDrained. */
  drainWanted = false;
  /** END_STREAM or RST_STREAM sent. */
  localClosed = false;

  // Inbound: what the peer may still send, and credit not yet returned to it.
  recvWindow = 0;
  unsentCredit = 0;
  /** END_STREAM received. */
  remoteClosed = false;

  /** Removed from its connection; no frame for it is sent or delivered any more. */
  closed = false;

  /**
   * A header block for this stream: the response (client) or trailers. `oversized` means it was
   * larger than our SETTINGS_MAX_HEADER_LIST_SIZE and `fields` were cut short.
   */
  abstract onHeaders(fields: string[], endStream: boolean, oversized: boolean): void;
  /** A DATA payload; the stream returns the credit through its connection as it is consumed. */
  abstract onData(data: Buffer, endStream: boolean): void;
  /** The peer reset the stream, or a protocol error in its frames made us reset it. */
  abstract onReset(code: number): void;
  /** The connection is gone while the stream was open. */
  abstract onConnectionLost(err: Error): void;
  /** The send queue fell to SEND_QUEUE_LOW after a writer was told to wait. */
  abstract onSendDrained(): void;
}
