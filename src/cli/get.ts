// `loom get workloads`: every replica with its status, restarts and ports.
import { STORED_KINDS, storeOf } from './apply.js';
import { adminRequest, runningMesh } from './mesh-client.js';
import type { CliIO } from './io.js';
import { formatTable } from './table.js';

export interface ReplicaView {
  name: string;
  namespace: string;
  workload: string;
  status: string;
  restarts: number;
  ports: { app: number; inbound: number; outbound: number; admin: number };
  lastError?: string;
}

export async function runGet(kind: string, stateDir: string, io: CliIO): Promise<number> {
  const stored = STORED_KINDS.find((k) => k.toLowerCase() === kind.toLowerCase().replace(/s$/, ''));
  if (stored) return listStored(stored, stateDir, io);
  if (kind !== 'workloads' && kind !== 'workload') {
    io.err(`loom get: unknown kind "${kind}"; supported: workloads, ${STORED_KINDS.map((k) => `${k.toLowerCase()}s`).join(', ')}\n`);
    return 2;
  }
  const state = runningMesh(stateDir, io, 'get');
  if (!state) return 1;
  let body: { replicas: ReplicaView[] };
  try {
    body = (await (await adminRequest(state, '/api/workloads')).json()) as { replicas: ReplicaView[] };
  } catch (err) {
    io.err(`loom get: the mesh admin at ${state.admin} did not answer (${(err as Error).message}); is \`loom up\` still running?\n`);
    return 1;
  }
  const rows = [['NAMESPACE', 'NAME', 'WORKLOAD', 'STATUS', 'RESTARTS', 'APP', 'INBOUND', 'OUTBOUND', 'ADMIN']];
  for (const r of body.replicas) {
    rows.push([r.namespace, r.name, r.workload, r.status, String(r.restarts), String(r.ports.app), String(r.ports.inbound), String(r.ports.outbound), String(r.ports.admin)]);
  }
  io.out(formatTable(rows));
  for (const r of body.replicas) if (r.lastError) io.out(`${r.namespace}/${r.name}: ${r.lastError}\n`);
  return 0;
}

function listStored(kind: (typeof STORED_KINDS)[number], stateDir: string, io: CliIO): number {
  const resources = storeOf(stateDir).list(kind);
  if (resources.length === 0) {
    io.out(`No ${kind.toLowerCase()}s; add one with \`loom apply -f\`\n`);
    return 0;
  }
  for (const r of resources) io.out(`${'namespace' in r.metadata ? r.metadata.namespace : ''}/${r.metadata.name}\n`);
  return 0;
}
