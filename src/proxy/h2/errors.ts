// Failures of the HTTP/2 fast path. A connection error ends the whole connection with GOAWAY; the
// others explain to a caller why its request did not go through.
import { errorCodeName } from './constants.js';

/** A connection error (RFC 9113 §5.4.1): answered with GOAWAY(errorCode) and the socket is closed. */
export class H2ConnectionError extends Error {
  constructor(
    /** The HTTP/2 error code (named so, not `code`, which errno-style readers take for a string). */
    readonly errorCode: number,
    message: string,
  ) {
    super(`${errorCodeName(errorCode)}: ${message}`);
  }
}

/** The peer completed the handshake but is not a Loom proxy: its SETTINGS lacked the Loom marker. */
export class NotLoomPeerError extends Error {
  constructor(addr: string) {
    super(`${addr} speaks HTTP/2 but not the Loom fast path (no Loom marker in its SETTINGS)`);
  }
}

/** The peer closed the connection or reset the stream before its application saw the request. */
export class UnprocessedRequestError extends Error {
  readonly retryable = true;
}

/** The peer reset the stream (RST_STREAM) with `errorCode`. */
export class StreamResetError extends Error {
  constructor(readonly errorCode: number) {
    super(`stream reset by peer with ${errorCodeName(errorCode)}`);
  }
}
