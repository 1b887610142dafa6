// A request body that a retry can send again. The first attempt streams the source as it comes, with
// the source's backpressure; meanwhile the chunks are kept (references, never copies) while the body
// stays within a cap. Past the cap they are dropped and the body can no longer be replayed.
import { Readable } from 'node:stream';

export const DEFAULT_REPLAY_CAP_BYTES = 64 * 1024;

export class ReplayableBody {
  /** What the first attempt sends, in place of the original body; null when there is none. */
  readonly first: Readable | null;
  private readonly source: Readable | null;
  private readonly capBytes: number;
  /** null once the body passed the cap or failed. */
  private chunks: Buffer[] | null = [];
  private bytes = 0;
  private sourceEnded = false;
  private failed = false;
  /** Set by prepareReplay: the first attempt gets nothing more; the source is read for the buffer. */
  private detached = false;
  private settled: Promise<boolean> | null = null;
  private resolveSettled: ((replayable: boolean) => void) | null = null;

  constructor(source: Readable | null, capBytes = DEFAULT_REPLAY_CAP_BYTES) {
    this.source = source;
    this.capBytes = capBytes;
    if (source === null) {
      this.first = null;
      this.sourceEnded = true;
      return;
    }
    this.first = new FirstAttemptBody(source);
    source.on('data', this.onData);
    source.once('end', this.onEnd);
    source.on('error', this.onFail);
    source.once('aborted', this.onFail);
    source.once('close', this.onFail);
  }

  /** False once the body is known not to fit the cap, or the source failed. */
  get replayable(): boolean {
    return this.chunks !== null;
  }

  /** True once the whole source body has been read. */
  get ended(): boolean {
    return this.sourceEnded;
  }

  /**
   * For a retry: resolves true once the whole body is buffered, false when it cannot be replayed.
   * If the source has not ended, the first attempt's stream is destroyed (so it can never send a
   * truncated body as complete) and the rest of the source is read into the buffer.
   */
  prepareReplay(): Promise<boolean> {
    if (this.sourceEnded || this.chunks === null) return Promise.resolve(this.chunks !== null);
    if (this.settled === null) {
      this.settled = new Promise((resolve) => (this.resolveSettled = resolve));
      this.detached = true;
      if (this.first !== null) destroyQuietly(this.first, new Error('request body withdrawn from this attempt for a retry'));
      this.source?.resume();
    }
    return this.settled;
  }

  /** A fresh stream of the same bytes for the next attempt; null when the request has no body. */
  replay(): Readable | null {
    if (this.chunks === null) throw new Error(`request body is not replayable: ${this.failed ? 'it failed' : `larger than ${this.capBytes} bytes`}`);
    if (!this.sourceEnded) throw new Error('request body has not ended yet: await prepareReplay() before replay()');
    return this.source === null ? null : new BufferedBody(this.chunks);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.chunks !== null) {
      this.bytes += chunk.length;
      if (this.bytes <= this.capBytes) this.chunks.push(chunk);
      else this.chunks = null;
    }
    if (this.detached) {
      // Nobody is sending the rest: stop reading a body that can no longer be replayed.
      if (this.chunks === null) {
        this.source?.pause();
        this.settle(false);
      }
      return;
    }
    if (this.first?.push(chunk) === false) this.source?.pause();
  };

  private readonly onEnd = (): void => {
    this.sourceEnded = true;
    if (!this.detached) this.first?.push(null);
    this.settle(this.chunks !== null);
  };

  // 'error', 'aborted' (an HTTP/1 client went away) or 'close' before 'end'.
  private readonly onFail = (err?: unknown): void => {
    if (this.sourceEnded || this.failed) return;
    this.failed = true;
    this.chunks = null;
    const error = err instanceof Error ? err : new Error('request body closed before it ended');
    if (this.first !== null) destroyQuietly(this.first, error);
    this.settle(false);
  };

  private settle(replayable: boolean): void {
    this.resolveSettled?.(replayable);
    this.resolveSettled = null;
  }
}

/** The source's chunks as they arrive; pausing the source while the consumer is behind. */
class FirstAttemptBody extends Readable {
  constructor(private readonly source: Readable) {
    super();
  }

  override _read(): void {
    this.source.resume();
  }
}

/** Replays buffered chunks, shared between replays and never modified. */
class BufferedBody extends Readable {
  private next = 0;

  constructor(private readonly chunks: readonly Buffer[]) {
    super();
  }

  override _read(): void {
    for (let chunk = this.chunks[this.next]; chunk !== undefined; chunk = this.chunks[this.next]) {
      this.next += 1;
      if (!this.push(chunk)) return;
    }
    this.push(null);
  }
}

// An 'error' event nobody listens for would crash the process; a stream nobody reads needs none.
function destroyQuietly(stream: Readable, err: Error): void {
  if (!stream.destroyed) stream.destroy(stream.listenerCount('error') > 0 ? err : undefined);
}
