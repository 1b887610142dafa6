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
