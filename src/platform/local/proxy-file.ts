// `.loom/proxies.json`: every replica's proxy admin address with the replica it serves, which the
// controller scrapes for the embedded metrics API (as Prometheus would discover pods).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProxyRecord {
  namespace: string;
  workload: string;
  pod: string;
  /** http://host:port of the proxy's admin server. */
  admin: string;
  /** The identity the proxy proves over mTLS. */
  identity?: string;
  /** host:port of the proxy's tap listener. */
  tap?: string;
}

export const PROXIES_FILE = 'proxies.json';

export function writeProxies(stateDir: string, proxies: readonly ProxyRecord[]): void {
  const path = join(stateDir, PROXIES_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(proxies, null, 1)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function readProxies(stateDir: string): ProxyRecord[] {
  try {
    return JSON.parse(readFileSync(join(stateDir, PROXIES_FILE), 'utf8')) as ProxyRecord[];
  } catch {
    return [];
  }
}
