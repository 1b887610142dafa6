// gRPC unary throughput with h2load (h2c prior knowledge, POST of one length-prefixed message).
import { writeFileSync } from 'node:fs';
import { run } from './procs.mjs';
import { REQUEST } from './grpc-frame.mjs';

export const GRPC_PATH = '/bench.Echo/Say';

export function writeGrpcData(file) {
  writeFileSync(file, REQUEST);
  return file;
}

export async function h2load(ctx, { port, authority, seconds, clients = 10, streams = 10, path = GRPC_PATH }) {
  const args = ['-D', String(seconds), '-c', String(clients), '-m', String(streams), '-t', '1',
    '-d', ctx.grpcData,
    '-H', 'content-type: application/grpc', '-H', 'te: trailers', '-H', `:authority: ${authority}`,
    `http://127.0.0.1:${port}${path}`];
  const out = await run('h2load', ctx.tools.h2load, args, { cpu: ctx.layout.loadgen });
  if (out.code !== 0) throw new Error(`h2load exited ${out.code}: ${out.stderr || out.stdout}`);
  return parseH2load(out.stdout);
}

export function parseH2load(text) {
  const req = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(text);
  const rps = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(text);
  if (!req || !rps) throw new Error(`cannot read h2load output:\n${text}`);
  return {
    rps: Number(rps[1]),
    requests: Number(req[3]),
    succeeded: Number(req[4]),
    failed: Number(req[5]) + Number(req[6]) + Number(req[7]),
    status2xx: Number(/status codes: (\d+) 2xx/.exec(text)?.[1] ?? 0),
  };
}
