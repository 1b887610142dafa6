// How `loom get/logs/down` reach the mesh started by `loom up` in this directory.
import { readMeshState, type MeshState } from '../platform/local/state-file.js';
import type { CliIO } from './io.js';

export function runningMesh(stateDir: string, io: CliIO, command: string): MeshState | undefined {
  const state = readMeshState(stateDir);
  if (!state) io.err(`loom ${command}: no mesh is running from this directory (no ${stateDir}/mesh.json); start one with \`loom up -f mesh.yaml\`\n`);
  return state;
}

export async function adminRequest(state: MeshState, path: string, method = 'GET'): Promise<Response> {
  return fetch(`${state.admin}${path}`, { method });
}
