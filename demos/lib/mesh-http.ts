// HTTP calls to other services, always through the sidecar's outbound listener: the request goes to
// http://$LOOM_OUTBOUND with the service name as Host, and the proxy picks an endpoint.
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'undici';

const agent = new Agent({ keepAliveTimeout: 4000, connections: 64 });

/**
 * Request headers a demo copies from the request it is serving onto the calls it makes, so that
 * traces join up and per-request routing (override headers, `end-user` matches) reaches every hop.
 */
const PROPAGATED = new Set(['traceparent', 'tracestate', 'b3', 'x-request-id', 'end-user', 'loom-dtab']);
const PROPAGATED_PREFIXES = ['x-b3-', 'loom-ctx-'];

export function contextHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (typeof value !== 'string') continue;
    if (PROPAGATED.has(name) || PROPAGATED_PREFIXES.some((p) => name.startsWith(p))) out[name] = value;
  }
  return out;
}

/** A failed call: the service's status, or the proxy's, with its `loom-proxy-error` code when it has one. */
export class ServiceCallError extends Error {
  override name = 'ServiceCallError';
  constructor(
    readonly service: string,
    readonly status: number,
    readonly proxyError: string | undefined,
    cause?: unknown,
  ) {
    super(
      status === 0
        ? `${service}: ${cause instanceof Error ? cause.message : String(cause)}`
        : `${service} answered ${status}${proxyError ? ` (${proxyError})` : ''}`,
      { cause },
    );
  }
}

export interface MeshHttpClient {
  /** GETs `path` from `service` and parses the JSON answer; non-2xx answers throw ServiceCallError. */
  getJson<T>(service: string, path: string, headers?: Record<string, string>): Promise<T>;
}

export function meshHttpClient(outbound: string, timeoutMs = 5000): MeshHttpClient {
  return {
    async getJson<T>(service: string, path: string, headers: Record<string, string> = {}): Promise<T> {
      let res;
      try {
        res = await request(`http://${outbound}${path}`, {
          dispatcher: agent,
          headers: { ...headers, host: service, accept: 'application/json' },
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (err) {
        throw new ServiceCallError(service, 0, undefined, err);
      }
      if (res.statusCode < 200 || res.statusCode > 299) {
        await res.body.dump();
        const proxyError = res.headers['loom-proxy-error'];
        throw new ServiceCallError(service, res.statusCode, typeof proxyError === 'string' ? proxyError : undefined);
      }
      return (await res.body.json()) as T;
    },
  };
}
