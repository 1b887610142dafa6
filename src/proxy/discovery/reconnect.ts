// Keeps a server stream open: when it ends or fails, what was last received stays in force and the
// stream is re-opened with exponential backoff. `onMessage` hears whether a message is the first of
// a (re)connected stream, so callers can reconcile a full snapshot against what they hold.

export interface ReconnectOptions {
  minBackoffMs?: number;
  maxBackoffMs?: number;
  onError?: (err: Error) => void;
}

export async function followStream<T>(
  open: (signal: AbortSignal) => AsyncIterable<T>,
  onMessage: (message: T, first: boolean) => void,
  signal: AbortSignal,
  { minBackoffMs = 100, maxBackoffMs = 5000, onError }: ReconnectOptions,
): Promise<void> {
  let backoff = minBackoffMs;
  while (!signal.aborted) {
    let first = true;
    try {
      for await (const message of open(signal)) {
        onMessage(message, first);
        first = false;
        backoff = minBackoffMs;
      }
    } catch (err) {
      if (signal.aborted) return;
      onError?.(err as Error);
    }
    await new Promise((r) => setTimeout(r, backoff).unref());
    backoff = Math.min(maxBackoffMs, backoff * 2);
  }
}
