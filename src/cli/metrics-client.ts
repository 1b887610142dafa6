// How `loom stat`, `loom edges` and `loom tap` reach the control plane's metrics API: the mesh admin names the
// controller's admin address; errors become a message for the user and an exit code.
import { getJson } from './check-probes.js';
import type { CliIO } from './io.js';
import { runningMesh } from './mesh-client.js';

/** The control plane's admin URL from the running mesh, or the exit code after telling the user why not. */
export async function controllerAdminUrl(stateDir: string, io: CliIO, command: string): Promise<string | number> {
  const state = runningMesh(stateDir, io, command);
  if (!state) return 1;
  try {
    return (await getJson<{ controllerAdmin: string }>(`${state.admin}/api/workloads`)).controllerAdmin;
  } catch (err) {
    io.err(`loom ${command}: the mesh admin at ${state.admin} did not answer (${(err as Error).message}); is \`loom up\` still running?\n`);
    return 1;
  }
}

/** The API's JSON answer, or the exit code after telling the user what went wrong. */
export async function metricsApiGet<T>(stateDir: string, io: CliIO, command: string, path: string): Promise<T | number> {
  const controllerAdmin = await controllerAdminUrl(stateDir, io, command);
  if (typeof controllerAdmin === 'number') return controllerAdmin;
  try {
    const res = await fetch(`${controllerAdmin}${path}`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as T & { error?: string };
    if (res.status === 200) return body;
    io.err(`loom ${command}: ${body.error ?? `the control plane answered ${res.status}`}\n`);
    return res.status === 400 ? 2 : 1;
  } catch (err) {
    io.err(`loom ${command}: the control plane's metrics API at ${controllerAdmin} did not answer (${(err as Error).message}); check \`loom check\`\n`);
    return 1;
  }
}
