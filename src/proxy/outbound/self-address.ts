// Loop protection: does a destination name this proxy's own listeners, however it is spelled?
import { formatHostPort, parseHostPort } from '../../lib/host-port.js';

export function isSelfAddress(name: string, selfAddrs: ReadonlySet<string>): boolean {
  return selfAddrs.has(name) || selfAddrs.has(reachedAddress(name));
}

/**
 * The address a connection to `name` (host:port) actually reaches when that differs from how it is
 * written: an IPv4-mapped IPv6 address reaches the IPv4 address, the unspecified address this host.
 */
export function reachedAddress(name: string): string {
  const parsed = parseHostPort(name);
  if (!parsed.ok) return name;
  let { host } = parsed.value;
  const { port } = parsed.value;
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(host);
  if (dotted) host = dotted[1] as string;
  else if (hex) {
    const hi = parseInt(hex[1] as string, 16);
    const lo = parseInt(hex[2] as string, 16);
    host = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return formatHostPort(host, port);
}
