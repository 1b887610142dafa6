// `loom logs <workload>`: the output of every replica of a workload (or of one replica, `web-0`),
// read from the files `loom up` writes under .loom/logs/<namespace>/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIO } from './io.js';

export async function runLogs(workload: string, stateDir: string, io: CliIO, proxy = false): Promise<number> {
  const root = join(stateDir, 'logs');
  const suffix = proxy ? '.proxy.log' : '.app.log';
  const files: string[] = [];
  // controller.log sits beside the namespace directories.
  const namespaces = existsSync(root) ? readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory()) : [];
  for (const { name: ns } of namespaces) {
    for (const file of readdirSync(join(root, ns))) {
      if (!file.endsWith(suffix)) continue;
      const replica = file.slice(0, -suffix.length);
      if (replica === workload || new RegExp(`^${escape(workload)}-\\d+$`).test(replica)) files.push(join(root, ns, file));
    }
  }
  if (files.length === 0) {
    io.err(`loom logs: no logs for "${workload}" under ${root}; \`loom get workloads\` lists the workloads\n`);
    return 1;
  }
  for (const file of files.sort()) {
    if (files.length > 1) io.out(`==> ${file} <==\n`);
    io.out(readFileSync(file, 'utf8'));
  }
  return 0;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
