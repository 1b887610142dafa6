// Writes a proxied response to an HTTP/1.1 client.
import type { ServerResponse } from 'node:http';
import { PROXY_ERROR_HEADER } from './headers.js';
import type { HeaderList, ResponseSink, Trailers } from './types.js';
import { ProxyError } from '../errors.js';

const H2_CANCEL = 0x8;

export class H1ResponseSink implements ResponseSink {
  started = false;
  constructor(private readonly res: ServerResponse) {}

  start(status: number, headers: HeaderList, endStream: boolean): void {
    this.started = true;
    this.res.writeHead(status, headers);
    if (endStream) this.res.end();
  }

  data(chunk: Buffer): boolean {
    return this.res.write(chunk);
  }

  end(trailers: Trailers | null): void {
    if (trailers && this.res.chunkedEncoding) this.res.addTrailers(definedOnly(trailers));
    this.res.end();
  }

  error(err: Error): void {
    if (this.started || this.res.headersSent) {
      // Mid-body: the client must see a broken response, never a silently truncated one.
      this.res.destroy(err);
      return;
    }
    this.started = true;
    writeErrorResponse(this.res, err);
  }

  onDrain(resume: () => void): void {
    this.res.on('drain', resume);
  }

  onAbort(abort: (h2Code: number) => void): void {
    this.res.once('close', () => {
      if (!this.res.writableFinished) abort(H2_CANCEL);
    });
  }
}

export function writeErrorResponse(res: ServerResponse, err: Error): void {
  const status = err instanceof ProxyError ? err.status : 502;
  const code = err instanceof ProxyError ? err.code : 'LOOM_ERR_PROXY';
  const body = `${err.message}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    [PROXY_ERROR_HEADER]: code,
  });
  res.end(body);
}

function definedOnly(t: Trailers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in t) {
    const v = t[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
