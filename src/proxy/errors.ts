// Errors the proxy answers with. Each has a stable code (sent in the `loom-proxy-error` header and
// used as the `error` metric label) and the HTTP status a client sees.

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
    super('LOOM_ERR_CONNECT', 502, `connect to ${endpoint} failed: ${describe(cause)}`, { cause });
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

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} ${cause.message}` : cause.message;
  }
  return String(cause);
}
