// Process and Node.js runtime metrics, sampled when /metrics is scraped (never on the request path).
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { Registry, type Counter, type Gauge } from './registry.js';

const LOOP_RESOLUTION_MS = 10;

type GaugeKey = 'rss' | 'vsize' | 'start' | 'openFds' | 'maxFds' | 'heap' | 'lag';

export class ProcessMetrics {
  private readonly registry = new Registry();
  private readonly cpu: Counter;
  private readonly gauges: Record<GaugeKey, Gauge>;
  private readonly loopDelay: IntervalHistogram;
  private lastLagSeconds = 0;

  constructor() {
    this.cpu = this.registry.counter({ name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.' });
    const gauge = (name: string, help: string): Gauge => this.registry.gauge({ name, help });
    this.gauges = {
      rss: gauge('process_resident_memory_bytes', 'Resident memory size in bytes.'),
      vsize: gauge('process_virtual_memory_bytes', 'Virtual memory size in bytes.'),
      start: gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.'),
      openFds: gauge('process_open_fds', 'Number of open file descriptors.'),
      maxFds: gauge('process_max_fds', 'Maximum number of open file descriptors (soft limit).'),
      heap: gauge('nodejs_heap_used_bytes', 'V8 heap in use, in bytes.'),
      lag: gauge('nodejs_eventloop_lag_seconds', 'p99 event-loop delay since the previous scrape, in seconds.'),
    };
    this.loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.loopDelay.enable();
  }

  render(): string {
    const { user, system } = process.cpuUsage();
    const cpu = this.cpu.labels();
    cpu.inc(Math.max(0, (user + system) / 1e6 - cpu.value));
    const mem = process.memoryUsage();
    this.set('rss', mem.rss);
    this.set('heap', mem.heapUsed);
    this.set('vsize', virtualMemoryBytes());
    this.set('start', performance.timeOrigin / 1000);
    this.set('openFds', openFds());
    this.set('maxFds', maxFds());
    this.set('lag', this.eventLoopLagSeconds());
    return this.registry.render();
  }

  /** Stops the event-loop sampler (its timer does not hold the process open, but tests close it). */
  close(): void {
    this.loopDelay.disable();
  }

  private set(key: GaugeKey, value: number | undefined): void {
    // A metric the platform cannot provide (no /proc) is left out rather than reported as 0.
    if (value !== undefined) this.gauges[key].labels().set(value);
  }

  private eventLoopLagSeconds(): number {
    const h = this.loopDelay;
    // No sample means no timer tick since the last scrape: keep the previous value rather than claim 0.
    if (h.count > 0) {
      // Each sample includes the sampling interval itself; the lag is what exceeds it.
      this.lastLagSeconds = Math.max(0, h.percentile(99) / 1e6 - LOOP_RESOLUTION_MS) / 1000;
      h.reset();
    }
    return this.lastLagSeconds;
  }
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function virtualMemoryBytes(): number | undefined {
  const stat = readProc('/proc/self/stat');
  if (stat === undefined) return undefined;
  // Fields after the ")" that closes the command name; vsize is field 23 of the whole line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const vsize = Number(fields[20]);
  return Number.isFinite(vsize) ? vsize : undefined;
}

function openFds(): number | undefined {
  try {
    // readdir holds one descriptor of its own on /proc/self/fd while listing it.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return undefined;
  }
}

function maxFds(): number | undefined {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readProc('/proc/self/limits') ?? '');
  if (!m) return undefined;
  return m[1] === 'unlimited' ? Infinity : Number(m[1]);
}
