// Every `loom` subcommand, wired with commander.
import { Command } from 'commander';
import { processIO } from './io.js';
import { proxyHelp, runProxy } from './proxy.js';

export const VERSION = '0.1.0';

export function program(): Command {
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
