// Parsing and normalizing `host:port` strings: the proxy's discovery names and endpoints, and the control plane's diagnosis.

import { isIPv4, isIPv6 } from 'node:net';

export interface HostPort {
  /** Lowercased; an IPv6 address without brackets. */
  readonly host: string;
  readonly port: number;
}

export type HostPortResult = { ok: true; value: HostPort } | { ok: false; problem: string };

const HOSTNAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/;
const DOTTED_NUMBERS = /^[\d.]+$/;

/**
 * Parses `host:port`, `[v6]:port`, or a bare host when `defaultPort` is given. A failure's
 * `problem` says what is wrong and what to write instead.
 */
export function parseHostPort(text: string, defaultPort?: number): HostPortResult {
  if (text === '') return fail('empty address; write host:port');
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return fail(`"${text}" has no closing "]"; write [ipv6]:port`);
    host = text.slice(1, close).toLowerCase();
    const rest = text.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return fail(`"${text}" has "${rest}" after "]"; write [ipv6]:port`);
    portText = rest === '' ? undefined : rest.slice(1);
    if (!isIPv6(host)) return fail(`"${host}" in "${text}" is not an IPv6 address`);
  } else {
    const colons = text.split(':').length - 1;
    if (colons > 1) return fail(`"${text}" looks like an IPv6 address; write it in brackets, e.g. [::1]:8080`);
    const colon = text.indexOf(':');
    host = (colon < 0 ? text : text.slice(0, colon)).toLowerCase();
    portText = colon < 0 ? undefined : text.slice(colon + 1);
    const hostProblem = checkHost(host, text);
    if (hostProblem) return fail(hostProblem);
  }
  if (portText === undefined) {
    if (defaultPort === undefined) return fail(`"${text}" has no port; write host:port`);
    return { ok: true, value: { host, port: defaultPort } };
  }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return fail(`"${text}" has port "${portText}"; write a port from 1 to 65535`);
  return { ok: true, value: { host, port } };
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The form discovery names are looked up by: lowercase host, no trailing dot, explicit port
 * (`Web.Default.SVC.` -> `web.default.svc:80`). Throws a TypeError on an unparseable name.
 */
export function normalizeName(hostport: string, defaultPort = 80): string {
  const parsed = parseHostPort(hostport.trim(), defaultPort);
  if (!parsed.ok) throw new TypeError(parsed.problem);
  const { host, port } = parsed.value;
  return formatHostPort(host.endsWith('.') ? host.slice(0, -1) : host, port);
}

function checkHost(host: string, text: string): string | undefined {
  if (host === '') return `"${text}" has no host; write host:port`;
  if (DOTTED_NUMBERS.test(host)) {
    return isIPv4(host) ? undefined : `"${host}" is not an IPv4 address; write four numbers 0-255, e.g. 127.0.0.1`;
  }
  if (!HOSTNAME.test(host)) return `"${host}" is not a valid host name; use letters, digits, "-", "_" and "."`;
  return undefined;
}

function fail(problem: string): HostPortResult {
  return { ok: false, problem };
}
