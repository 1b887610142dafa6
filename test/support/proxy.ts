// Starts a real proxy in this process on loopback ports chosen by the kernel.
import { loadProxyConfig } from '../../src/proxy/env.js';
import { createLogger } from '../../src/proxy/log.js';
import { Proxy, type ProxyAddrs } from '../../src/proxy/proxy.js';

export interface TestProxy {
  proxy: Proxy;
  addrs: ProxyAddrs;
  outbound: string;
  inbound: string;
  admin: string;
  /** host:port of the tap listener; '' when tap is off. */
  tap: string;
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export async function startProxy(env: Record<string, string> = {}): Promise<TestProxy> {
  const config = loadProxyConfig({
    LOOM_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
    LOOM_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
    LOOM_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
    LOOM_PROXY_TAP_LISTEN_ADDR: '127.0.0.1:0',
    LOOM_PROXY_SHUTDOWN_GRACE_PERIOD: '2s',
    LOOM_PROXY_LOG_LEVEL: 'silent',
    ...env,
  });
  const proxy = await Proxy.create(config, createLogger({ level: config.logLevel }));
  const addrs = await proxy.start();
  const admin = `127.0.0.1:${addrs.admin.port}`;
  return {
    proxy,
    addrs,
    outbound: `127.0.0.1:${addrs.outbound.port}`,
    inbound: `127.0.0.1:${addrs.inbound.port}`,
    admin,
    tap: addrs.tap ? `127.0.0.1:${addrs.tap.port}` : '',
    metrics: async () => (await fetch(`http://${admin}/metrics`)).text(),
    close: () => proxy.shutdown(),
  };
}

/** The value of one sample in Prometheus text, matched by name and a subset of labels; 0 if absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}
