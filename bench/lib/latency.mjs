// Latency at a fixed request rate: runs fixed-rate.mjs pinned to the load generator's core.
import { fileURLToPath } from 'node:url';
import { run } from './procs.mjs';

const GENERATOR = fileURLToPath(new URL('./fixed-rate.mjs', import.meta.url));

export async function fixedRate(ctx, { port, host, rate, seconds, warmupSeconds = 1 }) {
  const args = [GENERATOR, String(port), host, String(rate), String(seconds), String(warmupSeconds)];
  const out = await run('fixed-rate', process.execPath, args, { cpu: ctx.layout.loadgen });
  if (out.code !== 0) throw new Error(`fixed-rate generator exited ${out.code}: ${out.stderr}`);
  const result = JSON.parse(out.stdout.trim().split('\n').pop());
  if (result.measured < result.sent * 0.99) {
    throw new Error(`only ${result.measured} of ${result.sent} requests answered at ${rate} req/s ` +
      `(errors ${result.errors}, non-2xx ${result.non2xx}, unanswered ${result.unanswered})`);
  }
  return result;
}
