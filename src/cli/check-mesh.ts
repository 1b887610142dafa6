// The checks plain `loom check` runs against the mesh `loom up` started in this directory.
import { readMeshState, type MeshState } from '../platform/local/state-file.js';
import { VERSION } from '../version.js';
import { getJson, httpStatus, isAlive, tcpConnectError } from './check-probes.js';
import type { Check, CheckResult } from './check.js';
import type { ReplicaView } from './get.js';
import { identityChecks } from './check-identity.js';

export function meshChecks(stateDir: string): Check[] {
  let state: MeshState | undefined;
  // Fetched once, by the first check that needs it; the fatal checks before it guarantee `state`.
  let replicas: Promise<ReplicaView[]> | undefined;
  const workloads = (): Promise<ReplicaView[]> =>
    (replicas ??= getJson<{ replicas: ReplicaView[] }>(`${state!.admin}/api/workloads`).then((body) => body.replicas));
  return [
    {
      name: 'a mesh is running from this directory',
      fatal: true,
      run: async () => {
        state = readMeshState(stateDir);
        if (!state) return { ok: false, hint: `no ${stateDir}/mesh.json: start a mesh with \`loom up -f mesh.yaml\`` };
        if (!isAlive(state.pid)) return { ok: false, hint: `${stateDir}/mesh.json names pid ${state.pid}, which is not running: run \`loom down\` to clear it, then \`loom up -f mesh.yaml\`` };
        return { ok: true };
      },
    },
    {
      name: 'the mesh admin is ready',
      fatal: true,
      run: async () => {
        const { status, error } = await httpStatus(`${state!.admin}/ready`);
        if (status === 200) return { ok: true };
        return { ok: false, hint: `GET ${state!.admin}/ready ${error ?? `answered ${status}`}; check the terminal running \`loom up\` (pid ${state!.pid})` };
      },
    },
    {
      name: 'the control plane (Destination API) accepts connections',
      run: async () => {
        const error = await tcpConnectError(state!.controller);
        if (error === undefined) return { ok: true };
        return { ok: false, hint: `${state!.controller}: ${error}; proxies keep their last known endpoints, but restart the mesh (\`loom down\`, \`loom up\`)` };
      },
    },
    { name: 'every replica is ready', run: async () => replicasReady(await workloads()) },
    { name: "every replica's proxy answers /ready", run: async () => proxiesReady(await workloads()) },
    { name: `every proxy runs this version (${VERSION})`, run: async () => proxiesOnVersion(await workloads()) },
    { name: 'every workload has a ready replica', run: async () => workloadsServed(await workloads()) },
    ...identityChecks(() => state!, workloads),
  ];
}

const id = (r: ReplicaView): string => `${r.namespace}/${r.name}`;

function replicasReady(replicas: ReplicaView[]): CheckResult {
  const unready = replicas.filter((r) => r.status !== 'ready');
  if (unready.length === 0) return { ok: true };
  const lines = unready.map((r) => `${id(r)}: ${r.status}${r.lastError ? ` (${r.lastError})` : ''}`);
  return { ok: false, hint: `${lines.join('\n')}\nsee why with \`loom logs <workload>\` and \`loom logs <workload> --proxy\`` };
}

async function proxiesReady(replicas: ReplicaView[]): Promise<CheckResult> {
  const answers = await Promise.all(replicas.map(async (r) => ({ r, ...(await httpStatus(`http://127.0.0.1:${r.ports.admin}/ready`)) })));
  const failing = answers.filter((a) => a.status !== 200);
  if (failing.length === 0) return { ok: true };
  const lines = failing.map(({ r, status, error }) => `${id(r)}: proxy admin 127.0.0.1:${r.ports.admin} ${error ?? `answered ${status}`}`);
  return { ok: false, hint: `${lines.join('\n')}\nsee why with \`loom logs <workload> --proxy\`` };
}

async function proxiesOnVersion(replicas: ReplicaView[]): Promise<CheckResult> {
  const versions = await Promise.all(
    replicas.map(async (r) => {
      try {
        const text = await (await fetch(`http://127.0.0.1:${r.ports.admin}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
        return { r, version: /^loom_proxy_build_info\{version="([^"]*)"\}/m.exec(text)?.[1] ?? 'unknown' };
      } catch (err) {
        return { r, version: `unreachable (${(err as Error).message})` };
      }
    }),
  );
  const other = versions.filter((v) => v.version !== VERSION);
  if (other.length === 0) return { ok: true };
  const lines = other.map(({ r, version }) => `${id(r)}: proxy ${version}`);
  return { ok: false, hint: `${lines.join('\n')}\nrestart the mesh (\`loom down\`, then \`loom up\`) so every proxy runs ${VERSION}` };
}

function workloadsServed(replicas: ReplicaView[]): CheckResult {
  const ready = new Map<string, boolean>();
  for (const r of replicas) {
    const key = `${r.namespace}/${r.workload}`;
    ready.set(key, (ready.get(key) ?? false) || r.status === 'ready');
  }
  const down = [...ready].filter(([, ok]) => !ok).map(([key]) => key);
  if (down.length === 0) return { ok: true };
  return { ok: false, hint: `no ready replica: ${down.join(', ')}; \`loom get workloads\` shows their replicas` };
}
