// A request body that a retry can send again. The first attempt reads the source itself, with the
// source's own backpressure; a 'data' listener keeps the chunks as they pass (references, never
// copies) while the body stays within a cap. Only a body read to its end within the cap replays: a
// retry never waits for the rest of a body, and one that failed or passed the cap is not sent twice.
import { Readable } from 'node:stream';

export const DEFAULT_REPLAY_CAP_BYTES = 64 * 1024;

export class ReplayableBody {
  /** null once the body passed the cap. */
  private chunks: Buffer[] | null = [];
  private bytes = 0;
  private kept = false;

  constructor(
    private readonly source: Readable | null,
    private readonly capBytes = DEFAULT_REPLAY_CAP_BYTES,
  ) {}

  /**
   * The first attempt's body: the source itself. Call it in the same tick its consumer starts
   * reading, since the listener that keeps the chunks also sets the source flowing.
   */
  first(): Readable | null {
    if (this.source !== null && !this.kept) {
      this.kept = true;
      this.source.on('data', this.keep);
    }
    return this.source;
  }

  /** True once the whole body was read within the cap (always for no body): a retry may send it. */
  get replayable(): boolean {
    return this.source === null || (this.kept && this.chunks !== null && this.source.readableEnded);
  }

  /** A fresh stream of the same bytes for the next attempt; null when the request has no body. */
  replay(): Readable | null {
    if (this.source === null) return null;
    if (this.chunks === null) throw new Error(`request body is not replayable: larger than ${this.capBytes} bytes`);
    if (!this.replayable) throw new Error('request body is not replayable: it has not been read to its end');
    return new BufferedBody(this.chunks);
  }

  private readonly keep = (chunk: Buffer): void => {
    if (this.chunks === null) return;
    this.bytes += chunk.length;
    if (this.bytes <= this.capBytes) this.chunks.push(chunk);
    else this.chunks = null;
  };
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
