// Small network and process probes shared by the `loom check` checks; each gives up after a timeout.
import { connect } from 'node:net';

const TIMEOUT_MS = 2_000;

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The HTTP status of GET url, or the reason there was none. */
export async function httpStatus(url: string): Promise<{ status?: number; error?: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel();
    return { status: res.status };
  } catch (err) {
    return { error: reason(err) };
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

/** Undefined when host:port accepts a TCP connection, else why not. */
export function tcpConnectError(addr: string): Promise<string | undefined> {
  const colon = addr.lastIndexOf(':');
  const host = addr.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(addr.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port)) return Promise.resolve(`"${addr}" is not host:port`);
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`no answer within ${TIMEOUT_MS / 1000}s`);
    });
    socket.once('error', (err) => resolve(reason(err)));
  });
}

function reason(err: unknown): string {
  const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000}s`;
  return e.cause?.code ?? e.code ?? e.cause?.message ?? e.message;
}
