// The checks `loom check --pre` runs before `loom up`: can a mesh start from this directory?
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { readMeshState } from '../platform/local/state-file.js';
import { isAlive } from './check-probes.js';
import type { Check, CheckResult } from './check.js';

/** The engines requirement in package.json. */
export const MIN_NODE = '20.18.1';

export interface PreCheckOptions {
  stateDir: string;
  adminPort: number;
  controllerPort: number;
  nodeVersion: string;
  env: Record<string, string | undefined>;
}

export function preChecks(opts: PreCheckOptions): Check[] {
  return [
    { name: `Node.js is >= ${MIN_NODE}`, run: async () => nodeVersion(opts.nodeVersion) },
    { name: `the state directory ${opts.stateDir} is writable`, run: async () => writable(opts.stateDir) },
    { name: `port ${opts.adminPort} (mesh admin) is free on 127.0.0.1`, run: () => portFree(opts.adminPort, '--admin-port', opts.stateDir) },
    { name: `port ${opts.controllerPort} (Destination API) is free on 127.0.0.1`, run: () => portFree(opts.controllerPort, '--controller-port', opts.stateDir) },
    { name: 'node can run the proxies and workload commands', run: async () => nodeOnPath(opts.env) },
    { name: 'no mesh is running from this directory', run: async () => noMeshRunning(opts.stateDir) },
  ];
}

function nodeVersion(version: string): CheckResult {
  const have = version.split('.').map(Number);
  const need = MIN_NODE.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    const h = have[i] ?? 0;
    const n = need[i] ?? 0;
    if (h !== n) return h > n ? { ok: true } : { ok: false, hint: `this is Node.js ${version}; install Node.js ${MIN_NODE} or newer (20 LTS)` };
  }
  return { ok: true };
}

function writable(stateDir: string): CheckResult {
  const probe = join(stateDir, `.check-${process.pid}`);
  try {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(probe, 'probe\n');
    rmSync(probe, { force: true });
    return { ok: true };
  } catch (err) {
    return { ok: false, hint: `cannot write ${probe} (${(err as Error).message}); make ${stateDir} writable, or run loom from a directory you own` };
  }
}

export function portFree(port: number, flag: string, stateDir: string): Promise<CheckResult> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      const state = readMeshState(stateDir);
      const ours = state !== undefined && isAlive(state.pid) && (state.admin.endsWith(`:${port}`) || state.controller.endsWith(`:${port}`));
      const who = ours
        ? `the mesh running from this directory (pid ${state.pid}) holds it: stop it with \`loom down\``
        : `stop the process listening on it (\`ss -ltnp 'sport = :${port}'\` or \`lsof -i :${port}\` shows which)`;
      resolve({ ok: false, hint: `127.0.0.1:${port} cannot be bound (${err.code ?? err.message}); ${who}, or pass ${flag} <port> to \`loom up\`` });
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve({ ok: true })));
  });
}

function nodeOnPath(env: Record<string, string | undefined>): CheckResult {
  if (!existsSync(process.execPath)) {
    return { ok: false, hint: `${process.execPath} (this Node.js) no longer exists; reinstall Node.js and run loom again` };
  }
  const names = process.platform === 'win32' ? ['node.exe', 'node.cmd'] : ['node'];
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  const found = dirs.some((dir) => names.some((name) => isExecutable(join(dir, name))));
  if (found) return { ok: true };
  return { ok: false, hint: `\`node\` is not on PATH, so workload commands such as \`node app.js\` cannot start; add ${dirname(process.execPath)} to PATH` };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function noMeshRunning(stateDir: string): CheckResult {
  const state = readMeshState(stateDir);
  if (!state || !isAlive(state.pid)) return { ok: true };
  return { ok: false, hint: `a mesh is already running from this directory (pid ${state.pid}, admin ${state.admin}); stop it with \`loom down\`` };
}
