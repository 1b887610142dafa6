// `loom check --pre` and `loom check`: named checks printed as √/× with a hint on failure, exit 0 when all pass.
import { meshChecks } from './check-mesh.js';
import { preChecks } from './check-pre.js';
import type { CliIO } from './io.js';

export interface CheckResult {
  ok: boolean;
  /** Passes, but needs attention soon (printed ‼ with the hint). */
  warn?: boolean;
  /** What to do when the check fails. */
  hint?: string;
}

export interface Check {
  name: string;
  /** When a fatal check fails, the checks after it are not run: they could only fail the same way. */
  fatal?: boolean;
  run(): Promise<CheckResult>;
}

export interface CheckOptions {
  pre: boolean;
  stateDir: string;
  /** The ports `loom up` will bind (only for --pre). */
  adminPort: number;
  controllerPort: number;
  output: string;
  /** The running Node.js version; a parameter so tests can check an old one. */
  nodeVersion?: string;
}

export async function runCheck(opts: CheckOptions, io: CliIO): Promise<number> {
  if (opts.output !== 'text' && opts.output !== 'json') {
    io.err(`loom check: unknown output "${opts.output}"; supported: text, json\n`);
    return 2;
  }
  const checks = opts.pre
    ? preChecks({ stateDir: opts.stateDir, adminPort: opts.adminPort, controllerPort: opts.controllerPort, nodeVersion: opts.nodeVersion ?? process.versions.node, env: io.env })
    : meshChecks(opts.stateDir);
  const json = opts.output === 'json';
  const results: Array<CheckResult & { name: string }> = [];
  for (const check of checks) {
    const result = await runOne(check);
    results.push({ name: check.name, ...result });
    if (!json) io.out(render(check.name, result));
    if (!result.ok && check.fatal) break;
  }
  const ok = results.every((r) => r.ok);
  if (json) io.out(`${JSON.stringify({ checks: results, ok }, null, 2)}\n`);
  else io.out(`\nStatus check results are ${ok ? '√' : '×'}\n`);
  return ok ? 0 : 1;
}

async function runOne(check: Check): Promise<CheckResult> {
  try {
    const { ok, warn, hint } = await check.run();
    if (warn) return { ok, warn, ...(hint === undefined ? {} : { hint }) };
    return ok || hint === undefined ? { ok } : { ok, hint };
  } catch (err) {
    return { ok: false, hint: `the check itself failed: ${(err as Error).message}` };
  }
}

function render(name: string, result: CheckResult): string {
  if (result.ok && !result.warn) return `√ ${name}\n`;
  const hint = (result.hint ?? '').split('\n').filter((line) => line !== '').map((line) => `    ${line}\n`).join('');
  return `${result.ok ? '‼' : '×'} ${name}\n${hint}`;
}
