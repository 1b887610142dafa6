// The one table of LOOM_PROXY_* settings. Nothing else in the proxy reads process.env:
// the CLI calls loadProxyConfig(process.env) once and hands the result down.

export interface SocketAddr {
  host: string;
  port: number;
}

export interface TcpForward {
  listen: SocketAddr;
  /** Logical destination (`name:port`) every connection on this listener is for. */
  target: string;
}

export type AccessLogFormat = 'off' | 'apache' | 'json';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface ProxyConfig {
  inboundAddr: SocketAddr;
  outboundAddr: SocketAddr;
  adminAddr: SocketAddr;
  appAddr: SocketAddr;
  discoveryFile: string | undefined;
  discoveryInline: string | undefined;
  destinationAddr: SocketAddr | undefined;
  destinationContext: string;
  dtabNamespace: string;
  outboundTcpForwards: TcpForward[];
  opaquePorts: Set<number>;
  detectTimeoutMs: number;
  connectTimeoutMs: number;
  queueTimeoutMs: number;
  responseTimeoutMs: number;
  clientIdleTimeoutMs: number;
  upstreamIdleTimeoutMs: number;
  headerReadTimeoutMs: number;
  maxHeaderBytes: number;
  shutdownGracePeriodMs: number;
  ewmaDefaultRttMs: number;
  ewmaDecayMs: number;
  failureAccrualConsecutive: number;
  failureAccrualMinBackoffMs: number;
  failureAccrualMaxBackoffMs: number;
  logLevel: LogLevel;
  accessLog: AccessLogFormat;
  identityLocalName: string | undefined;
  identityTrustAnchors: string | undefined;
  identityTokenFile: string | undefined;
  identitySvcAddr: SocketAddr | undefined;
  inboundPortsRequireIdentity: Set<number>;
  tapAddr: SocketAddr;
  tapSvcName: string | undefined;
}

export class ConfigError extends Error {
  readonly code = 'LOOM_ERR_CONFIG';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

type Parser<T> = (raw: string) => T;

interface Setting<K extends keyof ProxyConfig> {
  name: string;
  key: K;
  default: string;
  describe: string;
  parse: Parser<ProxyConfig[K]>;
}

function fail(message: string): never {
  throw new Error(message);
}

export function parseSocketAddr(raw: string): SocketAddr {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(raw.trim());
  if (!m) fail(`"${raw}" is not an address; write host:port, e.g. 127.0.0.1:4140 or [::1]:4140`);
  const port = Number(m[3]);
  if (port > 65535) fail(`port ${port} is out of range (0-65535)`);
  return { host: (m[1] ?? m[2]) as string, port };
}

export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) fail(`"${raw}" is not a duration; write e.g. 500ms, 10s, 2m (0 disables)`);
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * scale);
}

function parseDtabNamespace(raw: string): string {
  const value = raw.trim();
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(value)) fail(`"${raw}" is not a dtab namespace; use letters, digits, "_", "." and "-", e.g. default`);
  return value;
}

function parseCount(raw: string): number {
  if (!/^\d{1,6}$/.test(raw.trim())) fail(`"${raw}" is not a whole number (0 or more)`);
  return Number(raw);
}

function parsePositiveInt(raw: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) <= 0) fail(`"${raw}" is not a positive whole number`);
  return Number(raw);
}

function parsePorts(raw: string): Set<number> {
  const ports = new Set<number>();
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!range) fail(`"${part}" is not a port or a range like 8000-8010`);
    const lo = Number(range[1]);
    const hi = Number(range[2] ?? range[1]);
    if (hi > 65535 || lo > hi) fail(`"${part}" is not a valid port range`);
    for (let p = lo; p <= hi; p++) ports.add(p);
  }
  return ports;
}

function parseTcpForwards(raw: string): TcpForward[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const eq = entry.indexOf('=');
      if (eq < 0) fail(`"${entry}" should be listen=target, e.g. 127.0.0.1:15432=db.default.svc:5432`);
      const target = entry.slice(eq + 1).trim();
      if (!/^[^\s:]+:\d{1,5}$/.test(target)) fail(`target "${target}" should be name:port`);
      return { listen: parseSocketAddr(entry.slice(0, eq)), target };
    });
}

function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (raw) => {
    const v = raw.trim() as T;
    if (!values.includes(v)) fail(`"${raw}" is not one of ${values.join(', ')}`);
    return v;
  };
}

const optionalString: Parser<string | undefined> = (raw) => (raw.trim() === '' ? undefined : raw);

function parseTrustAnchors(raw: string): string | undefined {
  if (raw.trim() === '') return undefined;
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(raw)) {
    fail('holds no PEM certificate; set it to the trust anchors\' PEM text (-----BEGIN CERTIFICATE----- ...)');
  }
  return raw;
}

/** Identity needs all four identity settings or none. */
function checkIdentity(config: ProxyConfig): void {
  const required = [
    ['LOOM_PROXY_IDENTITY_TRUST_ANCHORS', config.identityTrustAnchors],
    ['LOOM_PROXY_IDENTITY_TOKEN_FILE', config.identityTokenFile],
    ['LOOM_PROXY_IDENTITY_SVC_ADDR', config.identitySvcAddr],
  ] as const;
  if (config.identityLocalName === undefined) {
    if (config.tapSvcName !== undefined) throw new ConfigError('LOOM_PROXY_TAP_SVC_NAME', 'needs LOOM_PROXY_IDENTITY_LOCAL_NAME: tap is served only over mTLS');
    return;
  }
  for (const [name, value] of required) {
    if (value === undefined) throw new ConfigError(name, 'must be set when LOOM_PROXY_IDENTITY_LOCAL_NAME is (mTLS needs anchors, a token and the Identity API)');
  }
}

function setting<K extends keyof ProxyConfig>(s: Setting<K>): Setting<K> {
  return s;
}

/** Every setting, its default and what it does; `loom proxy --help` prints this table. */
export const SETTINGS = [
  setting({ name: 'LOOM_PROXY_INBOUND_LISTEN_ADDR', key: 'inboundAddr', default: '0.0.0.0:4143', parse: parseSocketAddr, describe: 'Where traffic for the local workload arrives (from other proxies or unmeshed clients).' }),
  setting({ name: 'LOOM_PROXY_OUTBOUND_LISTEN_ADDR', key: 'outboundAddr', default: '127.0.0.1:4140', parse: parseSocketAddr, describe: 'Where the local app sends traffic for other services (HTTP proxy style).' }),
  setting({ name: 'LOOM_PROXY_ADMIN_LISTEN_ADDR', key: 'adminAddr', default: '0.0.0.0:4191', parse: parseSocketAddr, describe: 'Admin server: /metrics /ready /live /shutdown /config /log-level.' }),
  setting({ name: 'LOOM_PROXY_APP_ADDR', key: 'appAddr', default: '127.0.0.1:8080', parse: parseSocketAddr, describe: 'The local app: where inbound traffic is forwarded.' }),
  setting({ name: 'LOOM_PROXY_DISCOVERY_FILE', key: 'discoveryFile', default: '', parse: optionalString, describe: 'Static discovery file ("name -> addr [meshed] [k=v], ..." per line); watched for changes.' }),
  setting({ name: 'LOOM_PROXY_DISCOVERY', key: 'discoveryInline', default: '', parse: optionalString, describe: 'Static discovery table inline, lines separated by ";" (used with or without the file).' }),
  setting({ name: 'LOOM_PROXY_DESTINATION_ADDR', key: 'destinationAddr', default: '', parse: (raw) => (raw.trim() === '' ? undefined : parseSocketAddr(raw)), describe: 'The control plane\'s Destination API (host:port); when set it replaces the static table.' }),
  setting({ name: 'LOOM_PROXY_DTAB_NAMESPACE', key: 'dtabNamespace', default: 'default', parse: parseDtabNamespace, describe: 'The dtab namespace (namerd\'s term) whose delegation table applies to this proxy\'s outbound requests.' }),
  setting({ name: 'LOOM_PROXY_DESTINATION_CONTEXT', key: 'destinationContext', default: '', parse: (raw) => raw.trim(), describe: 'Who this proxy is, sent with discovery requests (e.g. web-1.emojivoto).' }),
  setting({ name: 'LOOM_PROXY_OUTBOUND_TCP_FORWARDS', key: 'outboundTcpForwards', default: '', parse: parseTcpForwards, describe: 'Extra outbound listeners with a fixed target: listen=name:port, comma separated.' }),
  setting({ name: 'LOOM_PROXY_OPAQUE_PORTS', key: 'opaquePorts', default: '25,587,3306,4444,5432,6379,9300,11211', parse: parsePorts, describe: 'Target ports forwarded as opaque TCP with no protocol detection (server-speaks-first).' }),
  setting({ name: 'LOOM_PROXY_DETECT_TIMEOUT', key: 'detectTimeoutMs', default: '10s', parse: parseDuration, describe: 'How long to wait for a client\'s first bytes before treating the connection as opaque TCP.' }),
  setting({ name: 'LOOM_PROXY_CONNECT_TIMEOUT', key: 'connectTimeoutMs', default: '1s', parse: parseDuration, describe: 'Upstream connect timeout; a failure answers 502.' }),
  setting({ name: 'LOOM_PROXY_FAILURE_ACCRUAL_CONSECUTIVE', key: 'failureAccrualConsecutive', default: '7', parse: parseCount, describe: 'Failed responses in a row that eject an endpoint from its balancer (circuit breaking); 0 turns ejection off.' }),
  setting({ name: 'LOOM_PROXY_FAILURE_ACCRUAL_MIN_BACKOFF', key: 'failureAccrualMinBackoffMs', default: '1s', parse: parseDuration, describe: 'How long an ejected endpoint first waits before one probe request may test it; doubles per ejection in a row.' }),
  setting({ name: 'LOOM_PROXY_FAILURE_ACCRUAL_MAX_BACKOFF', key: 'failureAccrualMaxBackoffMs', default: '60s', parse: parseDuration, describe: 'The longest an ejected endpoint waits before it is probed again.' }),
  setting({ name: 'LOOM_PROXY_QUEUE_TIMEOUT', key: 'queueTimeoutMs', default: '3s', parse: parseDuration, describe: 'How long a request waits for endpoints to appear before it is answered 503.' }),
  setting({ name: 'LOOM_PROXY_RESPONSE_TIMEOUT', key: 'responseTimeoutMs', default: '0', parse: parseDuration, describe: 'Time allowed for upstream response headers before answering 504 (0 disables).' }),
  setting({ name: 'LOOM_PROXY_IDLE_TIMEOUT', key: 'clientIdleTimeoutMs', default: '60s', parse: parseDuration, describe: 'Idle keep-alive client connections are closed after this long.' }),
  setting({ name: 'LOOM_PROXY_UPSTREAM_IDLE_TIMEOUT', key: 'upstreamIdleTimeoutMs', default: '4s', parse: parseDuration, describe: 'Idle pooled upstream HTTP/1 connections are closed after this long.' }),
  setting({ name: 'LOOM_PROXY_HEADER_READ_TIMEOUT', key: 'headerReadTimeoutMs', default: '10s', parse: parseDuration, describe: 'A client must send complete request headers within this time (slowloris guard).' }),
  setting({ name: 'LOOM_PROXY_MAX_HEADER_BYTES', key: 'maxHeaderBytes', default: '16384', parse: parsePositiveInt, describe: 'Largest request header block accepted; larger answers 431.' }),
  setting({ name: 'LOOM_PROXY_SHUTDOWN_GRACE_PERIOD', key: 'shutdownGracePeriodMs', default: '30s', parse: parseDuration, describe: 'On SIGTERM or /shutdown, how long in-flight work may finish before exit.' }),
  setting({ name: 'LOOM_PROXY_EWMA_DEFAULT_RTT', key: 'ewmaDefaultRttMs', default: '30ms', parse: parseDuration, describe: 'Latency assumed for an endpoint before it has been measured (peak EWMA).' }),
  setting({ name: 'LOOM_PROXY_EWMA_DECAY', key: 'ewmaDecayMs', default: '10s', parse: parseDuration, describe: 'How quickly peak-EWMA latency estimates decay.' }),
  setting({ name: 'LOOM_PROXY_IDENTITY_LOCAL_NAME', key: 'identityLocalName', default: '', parse: optionalString, describe: 'This proxy\'s identity (<sa>.<ns>.serviceaccount.identity.loom.<trust-domain>); set, it turns on mTLS.' }),
  setting({ name: 'LOOM_PROXY_IDENTITY_TRUST_ANCHORS', key: 'identityTrustAnchors', default: '', parse: parseTrustAnchors, describe: 'PEM certificates of the trust anchors every peer\'s chain must end in.' }),
  setting({ name: 'LOOM_PROXY_IDENTITY_TOKEN_FILE', key: 'identityTokenFile', default: '', parse: optionalString, describe: 'File with the token that proves the service account; reread at each renewal.' }),
  setting({ name: 'LOOM_PROXY_IDENTITY_SVC_ADDR', key: 'identitySvcAddr', default: '', parse: (raw) => (raw.trim() === '' ? undefined : parseSocketAddr(raw)), describe: 'The control plane\'s Identity API (host:port), which issues this proxy\'s certificate.' }),
  setting({ name: 'LOOM_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY', key: 'inboundPortsRequireIdentity', default: '', parse: parsePorts, describe: 'App ports that accept only mTLS clients from the mesh; plaintext gets 403 or a closed connection.' }),
  setting({ name: 'LOOM_PROXY_TAP_LISTEN_ADDR', key: 'tapAddr', default: '0.0.0.0:4190', parse: parseSocketAddr, describe: 'The Tap API (gRPC over mTLS), served when LOOM_PROXY_TAP_SVC_NAME is set.' }),
  setting({ name: 'LOOM_PROXY_TAP_SVC_NAME', key: 'tapSvcName', default: '', parse: optionalString, describe: 'The only identity allowed to tap this proxy (the control plane\'s); unset, tap is off.' }),
  setting({ name: 'LOOM_PROXY_LOG_LEVEL', key: 'logLevel', default: 'info', parse: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const), describe: 'Log level; change at run time with PUT /log-level on the admin port.' }),
  setting({ name: 'LOOM_PROXY_ACCESS_LOG', key: 'accessLog', default: 'off', parse: oneOf(['off', 'apache', 'json'] as const), describe: 'Access log to stderr per HTTP request: off, apache or json.' }),
] as const;

/** Parses every setting; the first invalid one stops start-up with its variable named. */
export function loadProxyConfig(env: Record<string, string | undefined>): ProxyConfig {
  const known = new Set<string>(SETTINGS.map((s) => s.name));
  for (const name of Object.keys(env)) {
    if (name.startsWith('LOOM_PROXY_') && !known.has(name)) {
      throw new ConfigError(name, 'unknown setting; `loom proxy --help` lists them');
    }
  }
  const config: Partial<Record<keyof ProxyConfig, unknown>> = {};
  for (const s of SETTINGS) {
    const raw = env[s.name] ?? s.default;
    try {
      config[s.key] = s.parse(raw);
    } catch (err) {
      throw new ConfigError(s.name, (err as Error).message);
    }
  }
  checkIdentity(config as ProxyConfig);
  return config as ProxyConfig;
}

export function formatAddr(addr: SocketAddr): string {
  return addr.host.includes(':') ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`;
}
