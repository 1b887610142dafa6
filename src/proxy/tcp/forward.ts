// Opaque TCP forwarding: bytes copied both ways with backpressure, half-close passed through,
// either side's error closing both.
import type { Socket } from 'node:net';
import type { Transport } from '../endpoint/transport.js';
import { ConnectError, ConnectTimeoutError } from '../errors.js';

export interface TcpForwardResult {
  bytesFromClient: number;
  bytesToClient: number;
  /** errno of the side that failed, or undefined for a clean close. */
  errno: string | undefined;
}

export interface TcpForwardOptions {
  connectTimeoutMs: number;
  /** Called once the upstream connection is established. */
  onConnect?: () => void;
  /** Takes over the client when the upstream cannot be reached; by default the client is closed. */
  onConnectError?: (err: Error) => void;
  onClose?: (result: TcpForwardResult) => void;
  /** Everything the client sent before it half-closed (its 'end' has already been emitted). */
  final?: Buffer;
}

/** Joins `client` to the upstream connection `transport` is opening to `endpoint` (host:port). */
export function forwardTcp(client: Socket, transport: Transport, endpoint: string, opts: TcpForwardOptions): Socket {
  const upstream = transport.socket;
  let errno: string | undefined;
  let connected = false;
  let settled = false;
  let closed = 0;

  const failConnect = (err: Error, code: string): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    errno = code;
    upstream.destroy();
    if (opts.onConnectError) opts.onConnectError(err);
    else client.destroy();
  };
  const timer = setTimeout(
    () => failConnect(new ConnectTimeoutError(endpoint, opts.connectTimeoutMs), 'ETIMEDOUT'),
    opts.connectTimeoutMs,
  );

  upstream.once(transport.readyEvent, () => {
    if (settled) return;
    settled = connected = true;
    clearTimeout(timer);
    opts.onConnect?.();
    if (opts.final) upstream.end(opts.final);
    else client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    if (!connected) failConnect(new ConnectError(endpoint, err), err.code ?? 'EIO');
    else {
      errno ??= err.code ?? 'EIO';
      client.destroy();
    }
  });
  client.on('error', (err: NodeJS.ErrnoException) => {
    errno ??= err.code ?? 'EIO';
    upstream.destroy();
  });

  // A side that has fully closed can neither send nor receive: flush and close the other.
  const closeOther = (other: Socket): void => {
    if (other.destroyed) return;
    if (errno || !connected) other.destroy();
    else other.destroySoon();
  };
  const onClose = (): void => {
    if (++closed < 2) return;
    clearTimeout(timer);
    opts.onClose?.({ bytesFromClient: client.bytesRead, bytesToClient: client.bytesWritten, errno });
  };
  client.on('close', () => {
    closeOther(upstream);
    onClose();
  });
  upstream.on('close', () => {
    // After a failed connect the client belongs to onConnectError.
    if (connected || !opts.onConnectError) closeOther(client);
    onClose();
  });
  return upstream;
}
