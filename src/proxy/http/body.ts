// A request body handed to undici. undici destroys the body stream it was given once it is done
// with it; for a server-side request that would destroy the client's socket or HTTP/2 stream, and
// with it the response still to be written. This view reads the source with backpressure and
// never destroys it.
import { Readable } from 'node:stream';

export class RequestBody extends Readable {
  constructor(private readonly source: Readable) {
    super();
    source.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) source.pause();
    });
    source.once('end', () => this.push(null));
    source.once('error', (err) => this.destroy(err));
    source.once('aborted', () => this.destroy(new Error('client aborted the request body')));
  }

  override _read(): void {
    this.source.resume();
  }
}
