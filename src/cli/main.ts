#!/usr/bin/env node
// The `loom` binary: every subcommand, the long-running components included.
import { Command, CommanderError } from 'commander';
import { processIO } from './io.js';
import { proxyHelp, runProxy } from './proxy.js';

const VERSION = '0.1.0';

function program(): Command {
  const cli = new Command('loom')
    .description('Loom service mesh: sidecar proxy, control plane and CLI')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  cli
    .command('proxy')
    .description('run the sidecar proxy (configured by LOOM_PROXY_* environment variables)')
    .addHelpText('after', `\n${proxyHelp()}`)
    .action(async () => {
      // Exit as soon as the drain is done, whatever handles a library may still hold.
      process.exit(await runProxy(processIO));
    });
  return cli;
}

program()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`loom: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
