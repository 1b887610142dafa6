// The optional per-request access log (LOOM_PROXY_ACCESS_LOG): off the hot path unless switched on.
import type { AccessLogFormat } from './env.js';

export interface AccessLogEntry {
  /** When the request arrived: a Date or milliseconds since the epoch. */
  time: Date | number;
  direction: 'inbound' | 'outbound';
  clientAddr: string;
  method: string;
  authority: string;
  path: string;
  /** As Node reports it ('1.1', '2.0') or with its prefix ('HTTP/1.1'). */
  httpVersion: string;
  status: number;
  requestBytes?: number;
  responseBytes: number;
  durationMs: number;
  userAgent?: string;
  grpcStatus?: number;
  target?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export class AccessLog {
  private cachedSecond = NaN;
  private cachedDate = '';

  constructor(
    private readonly format: Exclude<AccessLogFormat, 'off'>,
    private readonly write: (line: string) => void = (line) => void process.stderr.write(line),
  ) {}

  log(entry: AccessLogEntry): void {
    this.write(this.format === 'json' ? jsonLine(entry) : this.apacheLine(entry));
  }

  /**
   * Common Log Format plus user agent and duration, times in UTC, duration with one decimal:
   * `<client> - - [dd/Mon/yyyy:HH:MM:SS +0000] "<method> <path> HTTP/<version>" <status> <responseBytes> "<user-agent|->" <duration>ms`
   * e.g. `127.0.0.1 - - [23/Nov/2026:01:02:03 +0000] "GET /path HTTP/1.1" 200 1234 "curl/8.5.0" 3.2ms`.
   * Quotes, backslashes and control characters inside quoted fields are escaped as Apache does.
   */
  private apacheLine(e: AccessLogEntry): string {
    const request = quote(`${e.method} ${e.path} ${httpVersion(e.httpVersion)}`);
    const agent = e.userAgent ? quote(e.userAgent) : '"-"';
    return `${e.clientAddr} - - [${this.clfDate(e.time)}] ${request} ${e.status} ${e.responseBytes} ${agent} ${e.durationMs.toFixed(1)}ms\n`;
  }

  // Many requests share a second; format the date once per second.
  private clfDate(time: Date | number): string {
    const ms = typeof time === 'number' ? time : time.getTime();
    const second = Math.floor(ms / 1000);
    if (second !== this.cachedSecond) {
      const d = new Date(second * 1000);
      const p = (n: number): string => String(n).padStart(2, '0');
      this.cachedDate = `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
      this.cachedSecond = second;
    }
    return this.cachedDate;
  }
}

function jsonLine(e: AccessLogEntry): string {
  const time = new Date(typeof e.time === 'number' ? e.time : e.time.getTime()).toISOString();
  return `${JSON.stringify({
    time,
    direction: e.direction,
    clientAddr: e.clientAddr,
    method: e.method,
    authority: e.authority,
    path: e.path,
    httpVersion: e.httpVersion,
    status: e.status,
    requestBytes: e.requestBytes,
    responseBytes: e.responseBytes,
    durationMs: e.durationMs,
    userAgent: e.userAgent,
    grpcStatus: e.grpcStatus,
    target: e.target,
  })}\n`;
}

function httpVersion(v: string): string {
  return v.startsWith('HTTP/') ? v : `HTTP/${v}`;
}

function quote(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
  const escaped = s.replace(/[\\"\x00-\x1f\x7f]/g, (c) =>
    c === '\\' || c === '"' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return `"${escaped}"`;
}
