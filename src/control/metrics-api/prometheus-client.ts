// Instant queries against a Prometheus HTTP API (POST /api/v1/query). Every failure becomes a
// MetricsBackendError that names the URL and says what to check, for the CLI to print as is.
import { MetricsBackendError } from './backend.js';

export interface VectorSample {
  labels: Record<string, string>;
  /** NaN and ±Inf as Prometheus answers them (histogram_quantile of nothing is NaN). */
  value: number;
}

export class PrometheusClient {
  private readonly queryUrl: string;

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 5000,
  ) {
    this.queryUrl = new URL('api/v1/query', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
  }

  /** `at` (ms since the epoch) evaluates every query of one answer at the same instant; Prometheus' now without it. */
  async query(promql: string, at?: number): Promise<VectorSample[]> {
    let res: Response;
    try {
      res = await fetch(this.queryUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: promql, ...(at === undefined ? {} : { time: (at / 1000).toFixed(3) }) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new MetricsBackendError(`Prometheus at ${this.baseUrl} did not answer (${reason(err)}); start it, or point --prometheus-url at its base URL (e.g. http://127.0.0.1:9090)`);
    }
    const text = await res.text();
    const body = parseBody(text);
    if (body === undefined) {
      throw new MetricsBackendError(`${this.baseUrl} answered ${res.status} without a Prometheus API response; is --prometheus-url the Prometheus server's base URL (e.g. http://127.0.0.1:9090)?`);
    }
    if (body.status !== 'success') {
      throw new MetricsBackendError(`Prometheus at ${this.baseUrl} answered ${res.status} (${body.errorType ?? 'error'}: ${body.error ?? 'no reason given'}) to ${promql}`);
    }
    return parseVector(body.data, this.baseUrl);
  }
}

interface ApiBody {
  status?: string;
  errorType?: string;
  error?: string;
  data?: unknown;
}

function parseBody(text: string): ApiBody | undefined {
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === 'object' && body !== null && 'status' in body ? (body as ApiBody) : undefined;
  } catch {
    return undefined;
  }
}

/** The samples of an instant vector: `{resultType: "vector", result: [{metric: {...}, value: [t, "1.5"]}]}`. */
export function parseVector(data: unknown, source: string): VectorSample[] {
  const d = data as { resultType?: unknown; result?: unknown } | undefined;
  if (d?.resultType !== 'vector' || !Array.isArray(d.result)) {
    throw new MetricsBackendError(`Prometheus at ${source} answered a ${String(d?.resultType ?? 'malformed')} result where an instant vector was expected`);
  }
  return d.result.map((r: { metric?: Record<string, string>; value?: [number, string] }) => ({ labels: r.metric ?? {}, value: sampleValue(r.value?.[1]) }));
}

function sampleValue(text: string | undefined): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return text === undefined ? NaN : Number(text);
}

/** The useful part of a fetch failure: ECONNREFUSED, ENOTFOUND, a timeout ... */
function reason(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  return e.cause?.code ?? e.cause?.message ?? e.message;
}
