// Runs the built `loom` binary (dist/cli/main.js) as a child process, as an operator would.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.test-helper.ts')) newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}

/** Compiles src/ to dist/ unless dist/cli/main.js is already newer than every source file. */
export async function ensureBuilt(): Promise<void> {
  let built = 0;
  try {
    built = statSync(MAIN).mtimeMs;
  } catch {
    // not built yet
  }
  if (built > newestSource(join(ROOT, 'src'))) return;
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, timeout: 60_000 });
}

/** The parent's environment without any LOOM_PROXY_* setting, plus `env`. */
function childEnv(env: Record<string, string>): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LOOM_PROXY_') && v !== undefined) clean[k] = v;
  return { ...clean, ...env };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Finished extends Exit {
  stdout: string;
  stderr: string;
}

/** Runs `loom <args>` to completion (killed after timeoutMs). */
export function runLoom(args: string[], env: Record<string, string> = {}, timeoutMs = 5000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface ProxyChild {
  child: ChildProcess;
  inbound: string;
  outbound: string;
  admin: string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Settles when the process has exited. */
  exited: Promise<Exit>;
  /** SIGKILLs the process if it is still running and waits for it. */
  kill(): Promise<Exit>;
}

/**
 * Starts `loom proxy` on kernel-chosen loopback ports (unless env says otherwise) and resolves once
 * the 'proxy ready' log line names the bound addresses. Rejects if the process exits first.
 */
export function startProxyChild(env: Record<string, string> = {}, timeoutMs = 5000): Promise<ProxyChild> {
  const child = spawn(process.execPath, [MAIN, 'proxy'], {
    env: childEnv({
      LOOM_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
      LOOM_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
      LOOM_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
      ...env,
    }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const kill = async (): Promise<Exit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill();
      reject(new Error(`loom proxy did not log 'proxy ready' within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    let pending = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        let entry: { msg?: string; inbound?: string; outbound?: string; admin?: string };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          continue;
        }
        if (entry.msg === 'proxy ready' && entry.inbound && entry.outbound && entry.admin) {
          clearTimeout(timer);
          resolve({ child, inbound: entry.inbound, outbound: entry.outbound, admin: entry.admin, stderr: () => stderr, exited, kill });
        }
      }
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`loom proxy exited (${exit.code ?? exit.signal}) before it was ready; stderr:\n${stderr}`));
    });
  });
}
