// The HPACK dynamic table (RFC 7541 §2.3.2, §4): newest entry first, evicted oldest-first to stay
// within its maximum size, where an entry costs its name and value octets plus 32.

const ENTRY_OVERHEAD = 32;

export class HpackDynamicTable {
  // A ring of at most capacity entries; `newest` is the slot of index 0.
  private readonly names: string[];
  private readonly values: string[];
  private readonly capacity: number;
  private newest = -1;
  private count = 0;
  private octets = 0;
  private max: number;

  /** `limit` is the largest maximum size the table may ever be given (our SETTINGS_HEADER_TABLE_SIZE). */
  constructor(limit: number) {
    this.max = limit;
    this.capacity = Math.max(1, Math.floor(limit / ENTRY_OVERHEAD));
    this.names = new Array<string>(this.capacity);
    this.values = new Array<string>(this.capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Octets in use, as RFC 7541 §4.1 counts them. */
  get size(): number {
    return this.octets;
  }

  get maxSize(): number {
    return this.max;
  }

  /** `i` counts from 0, the newest entry. The caller checks `i < length`. */
  name(i: number): string {
    return this.names[this.slot(i)] as string;
  }

  value(i: number): string {
    return this.values[this.slot(i)] as string;
  }

  add(name: string, value: string): void {
    const cost = name.length + value.length + ENTRY_OVERHEAD;
    // An entry larger than the table empties it and is not added (§4.4).
    this.evictUntil(this.max - cost);
    if (cost > this.max) return;
    this.newest = (this.newest + 1) % this.capacity;
    this.names[this.newest] = name;
    this.values[this.newest] = value;
    this.count++;
    this.octets += cost;
  }

  setMaxSize(max: number): void {
    this.max = max;
    this.evictUntil(max);
  }

  /** [name, value] pairs, newest first; for tests and debugging. */
  entries(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (let i = 0; i < this.count; i++) out.push([this.name(i), this.value(i)]);
    return out;
  }

  private slot(i: number): number {
    return (this.newest - i + this.capacity) % this.capacity;
  }

  private evictUntil(target: number): void {
    while (this.count > 0 && this.octets > target) {
      const oldest = this.slot(this.count - 1);
      this.octets -= (this.names[oldest] as string).length + (this.values[oldest] as string).length + ENTRY_OVERHEAD;
      this.names[oldest] = '';
      this.values[oldest] = '';
      this.count--;
    }
  }
}
