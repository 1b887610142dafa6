// `loom up` as a user runs it, in a directory of its own (the demos and node_modules linked in), so
// tests can drive the real CLI against a real mesh without sharing the repository's .loom.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, MAIN, ROOT } from './child.js';
import { eventually } from './upstreams.js';

export interface LoomUp {
  dir: string;
  /** Runs `loom <args>` in the mesh's directory; never rejects. */
  loom(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The app port of a workload's first replica, from `loom get workloads`. */
  appPort(workload: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startLoomUp(files: string[], replicas: number, timeoutMs = 60_000): Promise<LoomUp> {
  await ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'loom-journey-'));
  for (const entry of ['demos', 'node_modules', 'package.json']) symlinkSync(join(ROOT, entry), join(dir, entry));
  const args = [MAIN, 'up', ...files.flatMap((f) => ['-f', f]), '--admin-port', '0', '--controller-port', '0'];
  const up = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  up.stdout.on('data', (d) => (output += d));
  up.stderr.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => up.once('exit', () => resolve()));
  const loom = (argv: string[], stdin?: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [MAIN, ...argv], { cwd: dir }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (stdin !== undefined) child.stdin?.end(stdin);
    });
  const table = async () => (await loom(['get', 'workloads'])).stdout;
  const stop = async () => {
    if (up.exitCode !== null) return;
    await loom(['down']);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (up.exitCode === null) up.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  };
  try {
    await eventually(() => output.includes('Loom mesh is up'), timeoutMs, `loom up to start: ${output}`);
    await eventually(async () => (await table()).split('\n').filter((l) => / ready /.test(l)).length === replicas, timeoutMs, `${replicas} replicas to be ready`);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    dir,
    loom,
    async appPort(workload) {
      const row = (await table()).split('\n').find((l) => l.trim().split(/\s+/)[2] === workload);
      const port = Number(row?.trim().split(/\s+/)[5]);
      if (!(port > 0)) throw new Error(`no replica of ${workload} in:\n${await table()}`);
      return port;
    },
    stop,
  };
}
