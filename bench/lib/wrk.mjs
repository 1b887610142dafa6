// Closed-loop maximum throughput with wrk (keep-alive, fixed connections).
import { run } from './procs.mjs';

export async function wrk(ctx, { port, host, seconds, connections = 50, threads = 1, path = '/' }) {
  const args = ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', '5s',
    '-H', `Host: ${host}`, `http://127.0.0.1:${port}${path}`];
  const out = await run('wrk', ctx.tools.wrk, args, { cpu: ctx.layout.loadgen });
  if (out.code !== 0) throw new Error(`wrk exited ${out.code}: ${out.stderr || out.stdout}`);
  return parseWrk(out.stdout);
}

export function parseWrk(text) {
  const num = (re) => Number(re.exec(text)?.[1] ?? NaN);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const result = {
    requests: num(/(\d+) requests in/),
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/) || 0,
    socketErrors,
  };
  if (!Number.isFinite(result.rps)) throw new Error(`cannot read wrk output:\n${text}`);
  return result;
}
