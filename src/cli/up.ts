// `loom up -f mesh.yaml`: the whole mesh on this machine, in the foreground until Ctrl-C or `loom down`.
import { fileURLToPath } from 'node:url';
import { LocalMesh, type LocalMeshIdentityOptions } from '../platform/local/local-mesh.js';
import { MeshAdmin } from '../platform/local/mesh-admin.js';
import { MeshFileError } from '../platform/local/mesh-file-error.js';
import { clearMeshState, readMeshState, writeMeshState } from '../platform/local/state-file.js';
import { portFree } from './check-pre.js';
import { isAlive } from './check-probes.js';
import type { CliIO } from './io.js';

export interface UpOptions {
  files: string[];
  stateDir: string;
  adminPort: number;
  controllerPort: number;
  /** Trust domain and the user's own anchor and issuer files; generated in the state directory when absent. */
  identity?: LocalMeshIdentityOptions;
  /** The control plane answers `loom stat` and `loom edges` from this Prometheus instead of scraping. */
  prometheusUrl?: string;
  /** The user's Grafana (base URL), for the dashboard to link to. */
  grafanaUrl?: string;
}

/** The loom binary for the controller and sidecars: dist/cli/main.js, found the same way from src/ (tests) and dist/. */
const LOOM_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export async function runUp(opts: UpOptions, io: CliIO, signals: NodeJS.Process | null = process): Promise<number> {
  const running = readMeshState(opts.stateDir);
  if (running && isAlive(running.pid)) {
    io.err(`loom up: a mesh is already running from this directory (pid ${running.pid}, admin ${running.admin}); run \`loom down\` first\n`);
    return 1;
  }
  for (const [portNumber, flag] of [[opts.adminPort, '--admin-port'], [opts.controllerPort, '--controller-port']] as const) {
    if (portNumber === 0) continue;
    const free = await portFree(portNumber, flag, opts.stateDir);
    if (!free.ok) {
      io.err(`loom up: ${free.hint}\n`);
      return 1;
    }
  }
  let mesh: LocalMesh;
  try {
    mesh = new LocalMesh({
      files: opts.files,
      cwd: process.cwd(),
      stateDir: opts.stateDir,
      loomCommand: [process.execPath, LOOM_MAIN],
      baseEnv: io.env,
      controllerPort: opts.controllerPort,
      identity: opts.identity,
      ...(opts.prometheusUrl ? { prometheusUrl: opts.prometheusUrl } : {}),
      ...(opts.grafanaUrl ? { grafanaUrl: opts.grafanaUrl } : {}),
    });
  } catch (err) {
    if (err instanceof MeshFileError) {
      io.err(`loom up: the mesh file is not valid:\n${err.lines.map((l) => `  ${l}`).join('\n')}\n`);
      return 2;
    }
    throw err;
  }
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const admin = new MeshAdmin(mesh, () => stop());
  let adminPort: number;
  try {
    adminPort = await admin.listen(opts.adminPort);
    await mesh.start();
  } catch (err) {
    io.err(`loom up: ${(err as Error).message}\n`);
    await mesh.stop();
    await admin.close();
    return 1;
  }
  const identity = mesh.identity && { trustDomain: mesh.identity.trustDomain, anchorsFile: mesh.identity.anchorsFile, issuerCertFile: mesh.identity.issuerCertFile };
  writeMeshState(opts.stateDir, { pid: process.pid, admin: `http://127.0.0.1:${adminPort}`, controller: mesh.controllerAddr, files: opts.files, identity });
  io.out(summary(mesh, adminPort));
  const onSignal = (): void => stop();
  signals?.once('SIGINT', onSignal);
  signals?.once('SIGTERM', onSignal);
  await stopped;
  io.out('loom up: stopping every workload and proxy...\n');
  await mesh.stop();
  await admin.close();
  clearMeshState(opts.stateDir);
  signals?.off('SIGINT', onSignal);
  signals?.off('SIGTERM', onSignal);
  io.out('loom up: stopped\n');
  return 0;
}

function summary(mesh: LocalMesh, adminPort: number): string {
  const lines = [
    `Loom mesh is up: control plane ${mesh.controllerAddr} (admin ${mesh.controllerAdmin}), mesh admin http://127.0.0.1:${adminPort}`,
    `Dashboard: ${mesh.controllerAdmin}/`,
    'Workload replicas (each behind its own proxy):',
  ];
  if (mesh.identity) lines.splice(1, 0, `Identity: trust domain ${mesh.identity.trustDomain}, trust anchors ${mesh.identity.anchorsFile}`);
  for (const { replica, inboundPort } of mesh.replicas) {
    const d = replica.describe();
    lines.push(`  ${d.namespace}/${d.name}: http://127.0.0.1:${inboundPort} (through its proxy), proxy admin http://127.0.0.1:${d.ports.admin}`);
  }
  lines.push('`loom get workloads` shows their status; `loom logs <workload>` their output; Ctrl-C or `loom down` stops everything.');
  return `${lines.join('\n')}\n`;
}

