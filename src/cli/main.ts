#!/usr/bin/env node
// The `loom` binary: every subcommand, the long-running components included. `loom proxy` runs in
// every workload, so it starts without loading the CLI framework (a few MB of resident memory).
import { processIO } from './io.js';

async function main(args: string[]): Promise<void> {
  if (args.length === 1 && args[0] === 'proxy') {
    const { runProxy } = await import('./proxy.js');
    process.exit(await runProxy(processIO));
  }
  const { CommanderError } = await import('commander');
  const { program } = await import('./program.js');
  try {
    await program().parseAsync(args, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}

// `loom ... | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`loom: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
