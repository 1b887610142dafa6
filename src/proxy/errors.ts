// Errors the proxy answers with. Each has a stable code (sent in the `loom-proxy-error` header and
// used as the `error` metric label) and the HTTP status a client sees.
import { tlsFailureReason } from './tls/tls-failure.js';

export class ProxyError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class NoEndpointsError extends ProxyError {
  constructor(
    readonly service: string,
    readonly exists: boolean,
    waitedMs: number,
  ) {
    super(
      'LOOM_ERR_NO_ENDPOINTS',
      503,
      exists
        ? `service ${service} has no endpoints (waited ${waitedMs}ms)`
        : `service ${service} is not known to discovery (waited ${waitedMs}ms)`,
    );
  }
}

export class ConnectError extends ProxyError {
  constructor(endpoint: string, cause: unknown) {
    // A failed mTLS handshake is its own code: the peer was reached but could not be trusted.
    const tls = tlsFailureReason(cause) !== undefined;
    super(tls ? 'LOOM_ERR_TLS' : 'LOOM_ERR_CONNECT', 502, `${tls ? 'mTLS handshake with' : 'connect to'} ${endpoint} failed: ${describe(cause)}`, { cause });
  }
}

/** The peer proved a valid certificate, but for another identity than discovery named. */
export class PeerIdentityError extends ProxyError {
  constructor(
    readonly expected: string,
    readonly presented: string,
  ) {
    super('LOOM_ERR_TLS_IDENTITY', 502, `the peer presented identity "${presented || 'none'}", expected "${expected}"`);
  }
}

/** Plaintext (or no client identity) on a port that accepts only meshed, mutually authenticated clients. */
export class IdentityRequiredError extends ProxyError {
  constructor(port: number) {
    super('LOOM_ERR_IDENTITY_REQUIRED', 403, `port ${port} accepts only mutually authenticated (mTLS) clients from the mesh; send through a Loom proxy`);
  }
}

/** No certificate yet: the proxy cannot open mTLS until the Identity API has issued one. */
export class NoIdentityError extends ProxyError {
  constructor(identity: string) {
    super('LOOM_ERR_NO_IDENTITY', 503, `this proxy has no certificate for ${identity} yet; the Identity API has not issued one`);
  }
}

export class ConnectTimeoutError extends ProxyError {
  constructor(endpoint: string, timeoutMs: number) {
    super('LOOM_ERR_CONNECT_TIMEOUT', 502, `connect to ${endpoint} timed out after ${timeoutMs}ms`);
  }
}

export class ResponseTimeoutError extends ProxyError {
  constructor(endpoint: string, timeoutMs: number) {
    super('LOOM_ERR_RESPONSE_TIMEOUT', 504, `${endpoint} sent no response headers within ${timeoutMs}ms`);
  }
}

export class UpstreamError extends ProxyError {
  constructor(endpoint: string, cause: unknown) {
    super('LOOM_ERR_UPSTREAM', 502, `${endpoint} failed the request: ${describe(cause)}`, { cause });
  }
}

export class BadRequestError extends ProxyError {
  constructor(message: string, status = 400, code = 'LOOM_ERR_BAD_REQUEST') {
    super(code, status, message);
  }
}

export class LoopError extends ProxyError {
  constructor(target: string) {
    super('LOOM_ERR_LOOP', 400, `request for ${target} would loop back into this proxy; address a service name`);
  }
}

/** gRPC status for a proxy error: DEADLINE_EXCEEDED for timeouts, PERMISSION_DENIED for 403, else UNAVAILABLE. */
export function grpcStatusFor(err: Error): string {
  if (!(err instanceof ProxyError)) return '14';
  return err.status === 504 ? '4' : err.status === 403 ? '7' : '14';
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} ${cause.message}` : cause.message;
  }
  return String(cause);
}

/** The service has routes, and none of their rules matches the request (Gateway API answers 404). */
export class NoRouteError extends ProxyError {
  constructor(service: string, method: string, path: string) {
    super('LOOM_ERR_NO_ROUTE', 404, `no route of ${service} matches ${method} ${path}; add a rule that matches it or check the route's matches`);
  }
}

/** The matched rule sends nowhere: every backendRef has weight 0. */
export class NoBackendError extends ProxyError {
  constructor(route: string) {
    super('LOOM_ERR_NO_BACKEND', 503, `route ${route} sends nowhere: every backendRef has weight 0; give one a weight above 0`);
  }
}

/** The dtab delegated the name to a failure (`!`), to nothing, or to a namer Loom does not have. */
export class DtabError extends ProxyError {
  constructor(name: string, reason: string) {
    super('LOOM_ERR_DTAB', 503, `delegating ${name}: ${reason}; check the dtab with \`loom diagnose\``);
  }
}

/** The route's (or the request's) time ran out before a response arrived. */
export class RequestTimeoutError extends ProxyError {
  constructor(service: string, timeoutMs: number) {
    super('LOOM_ERR_REQUEST_TIMEOUT', 504, `${service} did not answer within ${timeoutMs}ms (the route's or the request's timeout)`);
  }
}

/** A fault injection rule answered instead of the backend. */
export class InjectedFaultError extends ProxyError {
  constructor(route: string, status: number) {
    super('LOOM_ERR_FAULT_INJECTED', status, `route ${route} injected this failure (fault.abort)`);
  }
}
