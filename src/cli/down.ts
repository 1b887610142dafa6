// `loom down`: stops the mesh `loom up` started in this directory and waits until it is gone.
import { clearMeshState, readMeshState } from '../platform/local/state-file.js';
import { adminRequest, runningMesh } from './mesh-client.js';
import type { CliIO } from './io.js';

export async function runDown(stateDir: string, io: CliIO, timeoutMs = 30_000): Promise<number> {
  const state = runningMesh(stateDir, io, 'down');
  if (!state) return 1;
  try {
    await adminRequest(state, '/shutdown', 'POST');
  } catch {
    io.err(`loom down: the mesh admin at ${state.admin} did not answer; stopping pid ${state.pid}\n`);
    try {
      process.kill(state.pid, 'SIGTERM');
    } catch {
      io.err(`loom down: pid ${state.pid} is not running; removing the stale ${stateDir}/mesh.json\n`);
      clearMeshState(stateDir);
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (readMeshState(stateDir) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (readMeshState(stateDir)) {
    io.err(`loom down: the mesh did not stop within ${timeoutMs / 1000}s\n`);
    return 1;
  }
  io.out('loom down: the mesh is stopped\n');
  return 0;
}
