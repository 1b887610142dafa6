// A request body fed by DATA frames. Flow-control credit follows consumption: bytes pushed while
// the buffer is full are withheld from WINDOW_UPDATE until the reader asks for more, so a slow
// upstream slows the sending peer instead of filling memory.
import { Readable } from 'node:stream';

export interface BodyCredit {
  /** The reader wants more: return the credit withheld so far. */
  releaseCredit(): void;
}

function ignore(): void {}

export class H2RequestBody extends Readable {
  constructor(private readonly credit: BodyCredit) {
    super({ highWaterMark: 64 * 1024 });
    // A body nobody reads yet may still be failed by a reset; that must not be an unhandled 'error'.
    this.on('error', ignore);
  }

  override _read(): void {
    this.credit.releaseCredit();
  }
}
