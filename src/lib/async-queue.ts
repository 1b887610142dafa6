// A push-to-pull bridge: callbacks push values, a server stream iterates them. Ends when closed.
// With a limit, a consumer that falls behind loses new items instead of growing the queue.
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(private readonly limit = Infinity) {}

  /** False when the item was not queued: the queue is closed or full. */
  push(item: T): boolean {
    if (this.closed || this.items.length >= this.limit) return false;
    this.items.push(item);
    this.wake?.();
    return true;
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  get size(): number {
    return this.items.length;
  }

  /**
   * Everything queued once at least one item is, after lingering `lingerMs` for more to join it;
   * [] once the queue is closed and empty.
   */
  async take(lingerMs = 0): Promise<T[]> {
    while (this.items.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
    if (lingerMs > 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, lingerMs);
        this.wake = () => {
          // Only closing cuts the linger short; further items just join the batch.
          if (!this.closed) return;
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    return this.items.splice(0, this.items.length);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      while (this.items.length > 0) yield this.items.shift() as T;
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }
}
