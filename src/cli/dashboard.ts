// `loom dashboard`: where the web dashboard is. The control plane serves it on its admin port (on
// loopback), so there is nothing to forward: this checks that it answers and prints its address.
import type { CliIO } from './io.js';
import { controllerAdminUrl } from './metrics-client.js';

/** 0 with the URL printed; 1 when no mesh runs or the dashboard does not answer. */
export async function runDashboard(stateDir: string, io: CliIO): Promise<number> {
  const admin = await controllerAdminUrl(stateDir, io, 'dashboard');
  if (typeof admin === 'number') return admin;
  const url = `${admin}/`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const type = res.headers.get('content-type') ?? '';
    if (res.status !== 200 || !type.startsWith('text/html')) {
      io.err(`loom dashboard: the control plane at ${admin} answered ${res.status} (${(await res.text()).trim().slice(0, 200)}); build the dashboard with \`npm run build\` and restart the mesh\n`);
      return 1;
    }
  } catch (err) {
    io.err(`loom dashboard: the control plane at ${admin} did not answer (${(err as Error).message}); check \`loom check\`\n`);
    return 1;
  }
  io.out(`Loom dashboard: ${url}\n`);
  return 0;
}
