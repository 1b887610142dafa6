// Free TCP ports for the processes `loom up` runs: ask the kernel for one (listen on port 0), then let go.
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => (port === undefined ? reject(new Error(`no port assigned on ${host}`)) : resolve(port)));
    });
  });
}

/**
 * `n` distinct free ports: all listeners stay open until every port is read, so none repeats. Ports
 * come from below the kernel's ephemeral range when it can be read: the kernel gives outgoing
 * connections (and port-0 listeners) local ports from that range, so one of them can never take a
 * port between the moment it is chosen here and the moment its process binds it.
 */
export async function freePorts(n: number, host = '127.0.0.1', range = stableRange()): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let tries = 0; ports.length < n && range !== undefined && tries < n * 20; tries++) {
      const port = range.low + Math.floor(Math.random() * (range.high - range.low + 1));
      if (ports.includes(port)) continue;
      const server = await bound(host, port);
      if (server) {
        servers.push(server);
        ports.push(port);
      }
    }
    while (ports.length < n) {
      const server = await bound(host, 0);
      if (!server) throw new Error(`no port assigned on ${host}`);
      servers.push(server);
      ports.push((server.address() as AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

function bound(host: string, port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host, port }, () => resolve(server));
  });
}

/** The 10,000 ports just below the ephemeral range; undefined where the range cannot be read. */
function stableRange(): { low: number; high: number } | undefined {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low === undefined || !(low > 11_024)) return undefined;
    return { low: low - 10_000, high: low - 1 };
  } catch {
    return undefined;
  }
}
