// How a benchmark script runs: every process it started is stopped on Ctrl-C, on exit and on failure.
import { killAllSync, stopAll } from './procs.mjs';

export function runBench(tag, main) {
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, async () => {
      await stopAll({ graceMs: 2000 });
      process.exit(130);
    });
  }
  main().catch(async (err) => {
    console.error(`[${tag}] ERROR: ${err.stack ?? err.message}`);
    await stopAll({ graceMs: 2000 });
    process.exitCode = 1;
  });
}
