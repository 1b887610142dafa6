// Per-target TCP metrics handle: connection counts, bytes and lifetimes for one label set.
import { performance } from 'node:perf_hooks';
import type { Labels } from './exposition.js';
import type { Counter, CounterChild, Gauge, GaugeChild, Histogram, HistogramChild } from './registry.js';

export interface TcpFamilies {
  openTotal: Counter;
  closeTotal: Counter;
  openConnections: Gauge;
  readBytesTotal: Counter;
  writeBytesTotal: Counter;
  connectionDurationMs: Histogram;
}

export class TcpMetrics {
  private readonly opens: CounterChild;
  private readonly openNow: GaugeChild;
  private readonly readBytes: CounterChild;
  private readonly writeBytes: CounterChild;
  private readonly duration: HistogramChild;
  private readonly closesByErrno = new Map<string, CounterChild>();

  constructor(
    private readonly families: TcpFamilies,
    private readonly labels: Labels,
  ) {
    this.opens = families.openTotal.labels(labels);
    this.openNow = families.openConnections.labels(labels);
    this.readBytes = families.readBytesTotal.labels(labels);
    this.writeBytes = families.writeBytesTotal.labels(labels);
    this.duration = families.connectionDurationMs.labels(labels);
  }

  /** Counts a new connection; returns the time to hand back to close(). */
  open(): number {
    this.opens.inc();
    this.openNow.inc();
    return performance.now();
  }

  /** errno is empty (or omitted) for a clean close, else a code such as ECONNRESET. */
  close(openedAt: number, errno = ''): void {
    let closes = this.closesByErrno.get(errno);
    if (closes === undefined) {
      closes = this.families.closeTotal.labels({ ...this.labels, errno });
      this.closesByErrno.set(errno, closes);
    }
    closes.inc();
    this.openNow.dec();
    this.duration.observe(performance.now() - openedAt);
  }

  read(bytes: number): void {
    this.readBytes.inc(bytes);
  }

  write(bytes: number): void {
    this.writeBytes.inc(bytes);
  }
}
