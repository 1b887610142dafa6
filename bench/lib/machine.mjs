// What the numbers were measured on: machine, date and tool versions.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

function firstLine(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '?';
}

export function describeMachine(tools, repoRoot) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  return {
    date: new Date().toISOString(),
    nproc: firstLine('nproc', []),
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? '?',
    memory: `${(memKb / 1024 / 1024).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    versions: {
      node: process.version,
      haproxy: firstLine(tools.haproxy, ['-v']),
      nginx: firstLine(tools.nginx, ['-v']),
      wrk: firstLine(tools.wrk, ['-v']),
      h2load: firstLine(tools.h2load, ['--version']),
      loom: `git ${firstLine('git', ['rev-parse', '--short', 'HEAD'], repoRoot)}` +
        (firstLine('git', ['status', '--porcelain', '--', 'src'], repoRoot) === '' ? '' : ' (src/ has uncommitted changes)'),
    },
  };
}

function cpuTotals() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  return { idle, total: f.reduce((a, b) => a + b, 0) };
}

/** Share of all cores busy over `ms` (before the bench starts anything: other people's work). */
export async function sampleBusy(ms) {
  const a = cpuTotals();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = cpuTotals();
  const total = b.total - a.total;
  return total > 0 ? 1 - (b.idle - a.idle) / total : 0;
}

/**
 * Other people's work on this shared machine skews every number. Between shapes nothing of ours is busy,
 * so waits (up to maxWaitS) for the machine to fall under `threshold` busy; returns the last reading.
 */
export async function waitForQuiet({ threshold = 0.1, maxWaitS = 20, log }) {
  let busy = await sampleBusy(500);
  const deadline = Date.now() + maxWaitS * 1000;
  if (busy > threshold) log(`  machine ${(busy * 100).toFixed(0)}% busy with work not ours; waiting up to ${maxWaitS} s for it to calm down`);
  while (busy > threshold && Date.now() < deadline) busy = await sampleBusy(1000);
  return busy;
}
