// An open-loop load generator: sends at a fixed rate whatever the answers take (a slow tick sends the
// requests that fell due since, so the count per second never drifts), and records every request.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface Outcome {
  /** Wall clock (Date.now()) when the request was sent and when its response headers arrived. */
  sentAt: number;
  doneAt: number;
  /** 0 when the request failed without a response. */
  status: number;
  /** Send to response headers: the span the proxy's latency histogram measures, plus the hops. */
  latencyMs: number;
}

export interface LoadOptions {
  /** Requests per second. */
  rate: number;
  durationMs: number;
  /** The path of the i-th request (from 0). */
  path: (i: number) => string;
}

export class FixedRateLoad {
  readonly outcomes: Outcome[] = [];
  startedAt = 0;
  sent = 0;
  private readonly pool: Pool;

  constructor(origin: string) {
    this.pool = new Pool(origin, { connections: 64 });
  }

  /** Sends rate * durationMs / 1000 requests, one every 1/rate seconds; resolves when all have answered. */
  async run({ rate, durationMs, path }: LoadOptions): Promise<void> {
    const total = Math.round((rate * durationMs) / 1000);
    const periodMs = 1000 / rate;
    const inFlight: Promise<void>[] = [];
    this.startedAt = Date.now();
    const start = performance.now();
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const due = Math.min(total, Math.floor((performance.now() - start) / periodMs) + 1);
        while (this.sent < due) inFlight.push(this.send(path(this.sent++)));
        if (this.sent < total) setTimeout(tick, periodMs / 2);
        else resolve();
      };
      tick();
    });
    await Promise.all(inFlight);
  }

  private async send(path: string): Promise<void> {
    const sentAt = Date.now();
    const t0 = performance.now();
    try {
      const res = await this.pool.request({ path, method: 'GET' });
      const latencyMs = performance.now() - t0;
      const doneAt = Date.now();
      await res.body.dump();
      this.outcomes.push({ sentAt, doneAt, status: res.statusCode, latencyMs });
    } catch {
      this.outcomes.push({ sentAt, doneAt: Date.now(), status: 0, latencyMs: performance.now() - t0 });
    }
  }

  /** Responses whose headers arrived within [from, to]. */
  between(from: number, to: number): Outcome[] {
    return this.outcomes.filter((o) => o.doneAt >= from && o.doneAt <= to);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
