// The protocol engine shared by both ends of a Loom link (RFC 9113): reads frames off the socket and
// dispatches them, exchanges SETTINGS, answers PING, enforces and returns flow-control credit, and
// turns any protocol violation into GOAWAY plus a closed socket, never an exception that escapes.
// LoomH2ClientConnection and LoomH2ServerConnection add what differs: who opens streams and why.
import type { Socket } from 'node:net';
import {
  DEFAULT_HEADER_TABLE_SIZE,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW_SIZE,
  ErrorCode,
  errorCodeName,
  Flag,
  FrameType,
  LARGEST_MAX_FRAME_SIZE,
  MAX_WINDOW_SIZE,
  SettingId,
} from './constants.js';
import { H2ConnectionError } from './errors.js';
import { FrameReader, type FrameHandler } from './frames.js';
import { FrameWriter } from './frame-writer.js';
import { HpackDecoder } from './hpack-decoder.js';
import { HpackEncoder } from './hpack-encoder.js';
import { LOOM_SETTING_ID, LOOM_SETTING_VALUE } from './marker.js';
import { SendScheduler } from './send-scheduler.js';
import { encodeSettings, type LocalSettings } from './settings.js';
import type { H2Stream } from './stream.js';

/** How long a closing connection waits for the peer to close after our GOAWAY before destroying. */
const CLOSE_GRACE_MS = 1000;

export abstract class H2Connection implements FrameHandler {
  protected readonly streams = new Map<number, H2Stream>();
  protected readonly writer: FrameWriter;
  protected readonly encoder = new HpackEncoder();
  protected readonly scheduler: SendScheduler;
  protected readonly reader: FrameReader;
  private readonly decoder: HpackDecoder;

  /** The peer's first SETTINGS frame has arrived. */
  protected peerSettingsSeen = false;
  protected peerHasLoomMarker = false;
  protected peerMaxConcurrentStreams = Infinity;
  private peerInitialWindow = DEFAULT_WINDOW_SIZE;

  /** What the peer may still send on the connection, and credit not yet returned to it. */
  private recvWindow = DEFAULT_WINDOW_SIZE;
  private unsentCredit = 0;

  /** A header block being assembled from HEADERS and CONTINUATION frames. */
  private blockStreamId = 0;
  private blockEndStream = false;
  private blockParts: Buffer[] = [];
  private blockBytes = 0;

  /** The socket is gone or going; streams have been told. */
  protected closed = false;
  private socketError: Error | undefined;

  constructor(
    protected readonly socket: Socket,
    protected readonly local: LocalSettings,
  ) {
    this.writer = new FrameWriter(socket);
    this.scheduler = new SendScheduler(this.writer, socket, this.encoder, (stream) => this.maybeClose(stream));
    this.decoder = new HpackDecoder(DEFAULT_HEADER_TABLE_SIZE, local.maxHeaderListSize);
    this.reader = new FrameReader(this, local.maxFrameSize);
    this.reader.requireSettingsFirst = true;
    socket.on('data', (chunk: Buffer) => this.onSocketData(chunk));
    socket.on('error', (err: Error) => {
      this.socketError ??= err;
    });
    socket.once('end', () => this.onSocketEnd());
    socket.once('close', () => this.shutdown(this.socketError ?? new Error('connection closed')));
  }

  /** Our SETTINGS (with the Loom marker) and the connection window; the first frames we send. */
  protected sendPreamble(): void {
    this.writer.frame(FrameType.SETTINGS, 0, 0, encodeSettings(this.local));
    const extra = this.local.connectionWindowSize - DEFAULT_WINDOW_SIZE;
    if (extra > 0) {
      this.writer.windowUpdate(0, extra);
      this.recvWindow += extra;
    }
  }

  /** Bytes from the socket; frames start at once, the server overrides this to take the preface first. */
  protected receive(chunk: Buffer): void {
    this.reader.push(chunk);
  }

  /** The peer's first SETTINGS frame has been applied and acknowledged. */
  protected abstract onPeerSettings(): void;
  /** A header block for a stream not open on this connection. */
  protected abstract onUnknownStreamHeaders(id: number, fields: string[], endStream: boolean, listSize: number): void;
  /** Whether `id` names a stream that was never opened (frames for it are a protocol error). */
  protected abstract isIdle(id: number): boolean;
  protected abstract onGoAway(lastStreamId: number, code: number, debug: string): void;
  protected abstract onPingAck(payload: Buffer): void;
  protected abstract onStreamClosed(stream: H2Stream): void;
  /** The connection is finished; every stream has been told. */
  protected abstract onShutdown(err: Error): void;
  /** The highest peer-initiated stream id processed, for our GOAWAY. */
  protected abstract lastPeerStreamId(): number;

  onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (this.blockStreamId !== 0 && type !== FrameType.CONTINUATION) {
      throw protocolError(`expected CONTINUATION for stream ${this.blockStreamId}, got frame type ${type}`);
    }
    switch (type) {
      case FrameType.DATA:
        return this.onDataFrame(flags, streamId, payload);
      case FrameType.HEADERS:
        return this.onHeadersFrame(flags, streamId, payload);
      case FrameType.PRIORITY:
        return this.onPriorityFrame(streamId, payload);
      case FrameType.RST_STREAM:
        return this.onResetFrame(streamId, payload);
      case FrameType.SETTINGS:
        return this.onSettingsFrame(flags, streamId, payload);
      case FrameType.PUSH_PROMISE:
        throw protocolError('PUSH_PROMISE although SETTINGS_ENABLE_PUSH is 0');
      case FrameType.PING:
        return this.onPingFrame(flags, streamId, payload);
      case FrameType.GOAWAY:
        return this.onGoAwayFrame(streamId, payload);
      case FrameType.WINDOW_UPDATE:
        return this.onWindowUpdateFrame(streamId, payload);
      case FrameType.CONTINUATION:
        return this.onContinuationFrame(flags, streamId, payload);
      default:
      // Unknown frame types are ignored (§4.1).
    }
  }

  /** Returns credit for `bytes` of the stream's DATA that its consumer has taken. */
  creditStream(stream: H2Stream, bytes: number): void {
    if (stream.closed || stream.remoteClosed || bytes === 0) return;
    stream.unsentCredit += bytes;
    // Batched: one WINDOW_UPDATE per half window keeps the sender going without a frame per DATA.
    if (stream.unsentCredit >= this.local.initialWindowSize >>> 1) {
      this.writer.windowUpdate(stream.id, stream.unsentCredit);
      stream.recvWindow += stream.unsentCredit;
      stream.unsentCredit = 0;
    }
  }

  /** Sends RST_STREAM and forgets the stream; its owner already knows why. */
  resetStream(stream: H2Stream, code: number): void {
    if (stream.closed) return;
    stream.localClosed = true;
    if (!this.closed) this.writer.rstStream(stream.id, code);
    this.closeStream(stream);
  }

  /** Ends the connection because of `err`: GOAWAY with its code, then the socket is closed. */
  protected fail(err: unknown): void {
    if (this.closed) return;
    const code = err instanceof H2ConnectionError ? err.errorCode : ErrorCode.INTERNAL_ERROR;
    const message = err instanceof Error ? err.message : String(err);
    this.writer.goAway(this.lastPeerStreamId(), code, message);
    this.closeSocket();
    this.shutdown(err instanceof Error ? err : new Error(message));
  }

  /** Flushes what is queued, half-closes, and destroys the socket if the peer does not close it. */
  protected closeSocket(): void {
    const socket = this.socket;
    this.writer.flush();
    this.reader.stop();
    if (socket.destroyed) return;
    socket.end();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Tells every stream the connection is gone; runs once. */
  protected shutdown(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.stop();
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const stream of streams) {
      stream.closed = true;
      stream.localClosed = true;
      this.scheduler.forget(stream);
      try {
        stream.onConnectionLost(err);
      } catch {
        // One stream's owner failing must not keep the others from hearing about it.
      }
    }
    this.onShutdown(err);
  }

  protected openStream(stream: H2Stream): void {
    stream.sendWindow = this.peerInitialWindow;
    stream.recvWindow = this.local.initialWindowSize;
    this.streams.set(stream.id, stream);
  }

  protected maybeClose(stream: H2Stream): void {
    if (stream.localClosed && stream.remoteClosed) this.closeStream(stream);
  }

  protected closeStream(stream: H2Stream): void {
    if (stream.closed) return;
    stream.closed = true;
    stream.localClosed = true;
    this.streams.delete(stream.id);
    this.scheduler.forget(stream);
    this.onStreamClosed(stream);
  }

  /** A stream error (§5.4.2) caused by the peer's frames: RST_STREAM, and the owner hears a reset. */
  protected streamError(stream: H2Stream, code: number): void {
    if (stream.closed) return;
    this.resetStream(stream, code);
    stream.onReset(code);
  }

  private onSocketData(chunk: Buffer): void {
    if (this.closed) return;
    try {
      this.receive(chunk);
    } catch (err) {
      this.fail(err);
    }
  }

  private onSocketEnd(): void {
    // The peer will send nothing more; what it has not finished never will be.
    if (!this.closed) this.shutdown(new Error('peer closed the connection'));
    this.socket.end();
  }

  private onDataFrame(flags: number, id: number, payload: Buffer): void {
    if (id === 0) throw protocolError('DATA on stream 0');
    const size = payload.length;
    if (size > this.recvWindow) throw new H2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, 'DATA beyond the connection window');
    this.recvWindow -= size;
    // The connection window only paces the link: it is credited as soon as data is handed on, and
    // each stream's own window holds back a slow consumer, so one cannot stall the others.
    this.creditConnection(size);
    const data = flags & Flag.PADDED ? unpad(payload) : payload;
    const stream = this.streams.get(id);
    if (stream === undefined) {
      if (this.isIdle(id)) throw protocolError(`DATA on idle stream ${id}`);
      return; // a stream we reset or finished; frames in flight are ignored (§5.1)
    }
    if (stream.remoteClosed) return this.streamError(stream, ErrorCode.STREAM_CLOSED);
    if (size > stream.recvWindow) return this.streamError(stream, ErrorCode.FLOW_CONTROL_ERROR);
    stream.recvWindow -= size;
    if (data.length < size) this.creditStream(stream, size - data.length);
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (endStream) stream.remoteClosed = true;
    stream.onData(data, endStream);
    if (endStream) this.maybeClose(stream);
  }

  private creditConnection(bytes: number): void {
    this.unsentCredit += bytes;
    if (this.unsentCredit >= this.local.connectionWindowSize >>> 1) {
      this.writer.windowUpdate(0, this.unsentCredit);
      this.recvWindow += this.unsentCredit;
      this.unsentCredit = 0;
    }
  }

  private onHeadersFrame(flags: number, id: number, payload: Buffer): void {
    if (id === 0) throw protocolError('HEADERS on stream 0');
    let start = 0;
    let end = payload.length;
    if (flags & Flag.PADDED) {
      if (end < 1) throw protocolError('PADDED HEADERS without a pad length');
      start = 1;
      end -= payload.readUInt8(0);
    }
    if (flags & Flag.PRIORITY) start += 5; // priority is ignored (§5.3.2)
    if (end < start) throw protocolError('HEADERS padding or priority longer than the frame');
    const fragment = payload.subarray(start, end);
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (flags & Flag.END_HEADERS) {
      this.onHeaderBlock(id, fragment, endStream);
      return;
    }
    this.blockStreamId = id;
    this.blockEndStream = endStream;
    this.blockParts = [fragment];
    this.blockBytes = fragment.length;
  }

  private onContinuationFrame(flags: number, id: number, payload: Buffer): void {
    if (this.blockStreamId === 0 || id !== this.blockStreamId) throw protocolError(`unexpected CONTINUATION on stream ${id}`);
    this.blockParts.push(payload);
    this.blockBytes += payload.length;
    // An endless header block would hold memory without bound (the CONTINUATION flood).
    if (this.blockBytes > 2 * this.local.maxHeaderListSize) {
      throw new H2ConnectionError(ErrorCode.ENHANCE_YOUR_CALM, `header block over ${2 * this.local.maxHeaderListSize} bytes`);
    }
    if ((flags & Flag.END_HEADERS) === 0) return;
    const block = Buffer.concat(this.blockParts, this.blockBytes);
    this.blockStreamId = 0;
    this.blockParts = [];
    this.onHeaderBlock(id, block, this.blockEndStream);
  }

  private onHeaderBlock(id: number, block: Buffer, endStream: boolean): void {
    // Decoded even for a stream we dropped: the dynamic table must stay in step with the peer's.
    const fields: string[] = [];
    const listSize = this.decoder.decode(block, fields);
    const stream = this.streams.get(id);
    if (stream === undefined) {
      this.onUnknownStreamHeaders(id, fields, endStream, listSize);
      return;
    }
    if (stream.remoteClosed) return this.streamError(stream, ErrorCode.STREAM_CLOSED);
    if (endStream) stream.remoteClosed = true;
    stream.onHeaders(fields, endStream, listSize > this.local.maxHeaderListSize);
    if (endStream) this.maybeClose(stream);
  }

  private onPriorityFrame(id: number, payload: Buffer): void {
    if (id === 0) throw protocolError('PRIORITY on stream 0');
    if (payload.length !== 5) {
      const stream = this.streams.get(id);
      if (stream) this.streamError(stream, ErrorCode.FRAME_SIZE_ERROR);
    }
  }

  private onResetFrame(id: number, payload: Buffer): void {
    if (id === 0) throw protocolError('RST_STREAM on stream 0');
    if (payload.length !== 4) throw frameSizeError('RST_STREAM', payload.length);
    const stream = this.streams.get(id);
    if (stream === undefined) {
      if (this.isIdle(id)) throw protocolError(`RST_STREAM on idle stream ${id}`);
      return;
    }
    stream.localClosed = true;
    this.closeStream(stream);
    stream.onReset(payload.readUInt32BE(0));
  }

  private onSettingsFrame(flags: number, id: number, payload: Buffer): void {
    if (id !== 0) throw protocolError('SETTINGS on a stream');
    if (flags & Flag.ACK) {
      if (payload.length !== 0) throw frameSizeError('SETTINGS ACK', payload.length);
      return;
    }
    if (payload.length % 6 !== 0) throw frameSizeError('SETTINGS', payload.length);
    for (let at = 0; at < payload.length; at += 6) this.applySetting(payload.readUInt16BE(at), payload.readUInt32BE(at + 2));
    this.writer.frame(FrameType.SETTINGS, Flag.ACK, 0);
    if (!this.peerSettingsSeen) {
      this.peerSettingsSeen = true;
      this.onPeerSettings();
    }
  }

  private applySetting(id: number, value: number): void {
    switch (id) {
      case SettingId.HEADER_TABLE_SIZE:
        this.encoder.setPeerTableSize(value);
        break;
      case SettingId.ENABLE_PUSH:
        if (value > 1) throw protocolError(`SETTINGS_ENABLE_PUSH ${value}`);
        break;
      case SettingId.MAX_CONCURRENT_STREAMS:
        this.peerMaxConcurrentStreams = value;
        break;
      case SettingId.INITIAL_WINDOW_SIZE:
        if (value > MAX_WINDOW_SIZE) {
          throw new H2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE ${value}`);
        }
        this.changeInitialWindow(value);
        break;
      case SettingId.MAX_FRAME_SIZE:
        if (value < DEFAULT_MAX_FRAME_SIZE || value > LARGEST_MAX_FRAME_SIZE) {
          throw protocolError(`SETTINGS_MAX_FRAME_SIZE ${value}`);
        }
        this.scheduler.maxFrameSize = value;
        break;
      case LOOM_SETTING_ID:
        this.peerHasLoomMarker = value === LOOM_SETTING_VALUE;
        break;
      default:
      // SETTINGS_MAX_HEADER_LIST_SIZE is advisory; unknown settings are ignored (§6.5.2).
    }
  }

  /** A new SETTINGS_INITIAL_WINDOW_SIZE moves every open stream's window by the difference (§6.9.2). */
  private changeInitialWindow(value: number): void {
    const delta = value - this.peerInitialWindow;
    this.peerInitialWindow = value;
    if (delta === 0) return;
    for (const stream of this.streams.values()) {
      stream.sendWindow += delta;
      if (stream.sendWindow > MAX_WINDOW_SIZE) {
        throw new H2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, `stream ${stream.id} window overflow`);
      }
    }
    if (delta > 0) for (const stream of [...this.streams.values()]) this.scheduler.pump(stream);
  }

  private onPingFrame(flags: number, id: number, payload: Buffer): void {
    if (id !== 0) throw protocolError('PING on a stream');
    if (payload.length !== 8) throw frameSizeError('PING', payload.length);
    if (flags & Flag.ACK) this.onPingAck(payload);
    else this.writer.frame(FrameType.PING, Flag.ACK, 0, payload);
  }

  private onGoAwayFrame(id: number, payload: Buffer): void {
    if (id !== 0) throw protocolError('GOAWAY on a stream');
    if (payload.length < 8) throw frameSizeError('GOAWAY', payload.length);
    const lastStreamId = payload.readUInt32BE(0) & 0x7fffffff;
    const code = payload.readUInt32BE(4);
    const debug = payload.toString('utf8', 8, Math.min(payload.length, 8 + 256));
    // Streams that die with the connection after an error GOAWAY are told what the peer said.
    if (code !== ErrorCode.NO_ERROR) this.socketError ??= new Error(`peer sent GOAWAY ${errorCodeName(code)}: ${debug}`);
    this.onGoAway(lastStreamId, code, debug);
  }

  private onWindowUpdateFrame(id: number, payload: Buffer): void {
    if (payload.length !== 4) throw frameSizeError('WINDOW_UPDATE', payload.length);
    const increment = payload.readUInt32BE(0) & 0x7fffffff;
    if (id === 0) {
      if (increment === 0) throw protocolError('WINDOW_UPDATE of 0 on the connection');
      if (this.scheduler.connectionWindow + increment > MAX_WINDOW_SIZE) {
        throw new H2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, 'connection window overflow');
      }
      this.scheduler.addConnectionWindow(increment);
      return;
    }
    const stream = this.streams.get(id);
    if (stream === undefined) {
      if (this.isIdle(id)) throw protocolError(`WINDOW_UPDATE on idle stream ${id}`);
      return;
    }
    if (increment === 0) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    if (stream.sendWindow + increment > MAX_WINDOW_SIZE) return this.streamError(stream, ErrorCode.FLOW_CONTROL_ERROR);
    stream.sendWindow += increment;
    this.scheduler.pump(stream);
  }
}

function protocolError(message: string): H2ConnectionError {
  return new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, message);
}

function frameSizeError(frame: string, length: number): H2ConnectionError {
  return new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `${frame} frame of ${length} bytes`);
}

/** The data of a PADDED frame (§6.1). */
function unpad(payload: Buffer): Buffer {
  if (payload.length < 1) throw protocolError('PADDED frame without a pad length');
  const padLength = payload.readUInt8(0);
  if (padLength >= payload.length) throw protocolError('padding longer than the frame');
  return payload.subarray(1, payload.length - padLength);
}
