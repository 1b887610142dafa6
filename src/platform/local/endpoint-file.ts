// `.loom/endpoints.json`: the endpoints `loom up` publishes, by logical name — the local platform's
// record of the world, which the controller watches (as it would watch a cluster's API server).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IndexedEndpoint } from '../../control/index/endpoint-index.js';

export type EndpointTable = Record<string, IndexedEndpoint[]>;

export const ENDPOINTS_FILE = 'endpoints.json';

/** Written whole and renamed into place, so a reader never sees half a table. */
export function writeEndpoints(stateDir: string, table: EndpointTable): void {
  const path = join(stateDir, ENDPOINTS_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(table, null, 1)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function readEndpoints(stateDir: string): EndpointTable | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir, ENDPOINTS_FILE), 'utf8')) as EndpointTable;
  } catch {
    return undefined;
  }
}
