// The protocol-neutral shape of one proxied HTTP exchange. Servers (HTTP/1 or HTTP/2) turn what
// they accept into a ProxyRequest plus a ResponseSink; upstream clients (HTTP/1 pool or HTTP/2
// session) read the request and drive the sink. That keeps each direction's conversion in one place.
import type { Readable } from 'node:stream';

/** Header fields as [name, value, name, value, ...], names lower-case, no pseudo or hop-by-hop. */
export type HeaderList = string[];

export interface ProxyRequest {
  readonly method: string;
  readonly scheme: string;
  /** host[:port] the client addressed. */
  readonly authority: string;
  /** origin-form path and query. */
  readonly path: string;
  readonly headers: HeaderList;
  /** null when the request has no body. */
  readonly body: Readable | null;
  /** The protocol the client spoke; an HTTP/1 request keeps it across an HTTP/2 hop. */
  readonly httpVersion: '1.1' | '2';
  readonly clientAddr: string;
  /** The client's identity, verified by mTLS; '' for plaintext clients. */
  readonly clientId: string;
}

/** Where a request goes: the app (inbound) or an endpoint (outbound); built once per target. */
export interface RequestTarget {
  readonly addr: string;
  /** The identity the target's side of the hop proves; '' when the hop is not mTLS. */
  readonly identity: string;
  /** What discovery knows of an outbound endpoint (namespace, deployment, pod ...). */
  readonly labels: Readonly<Record<string, string>>;
}

export type Trailers = Record<string, string | string[] | undefined>;

/** Where an upstream writes the response. Mirrors undici's dispatch protocol. */
export interface ResponseSink {
  /** Response head; `endStream` means there is no body and no trailers (gRPC trailers-only). */
  start(status: number, headers: HeaderList, endStream: boolean): void;
  /** Returns false when the client is not keeping up; the upstream pauses until onDrain. */
  data(chunk: Buffer): boolean;
  end(trailers: Trailers | null): void;
  /** Before start: answer with the error's status. After: reset the client's stream. */
  error(err: Error, h2Code?: number): void;
  onDrain(resume: () => void): void;
  /** Called once if the client goes away first (closed connection or RST_STREAM). */
  onAbort(abort: (h2Code: number) => void): void;
  readonly started: boolean;
}
