// Starts the two trivial upstreams: nginx for HTTP/1.1, a Node h2c server for gRPC.
import { fileURLToPath } from 'node:url';
import { start, waitForPort } from '../lib/procs.mjs';
import { freePort } from '../lib/ports.mjs';
import { render } from '../lib/template.mjs';

const GRPC_SERVER = fileURLToPath(new URL('./grpc-unary.mjs', import.meta.url));

export async function startHttpUpstream(ctx) {
  const port = await freePort();
  const conf = render('nginx-upstream.conf', { WORK: ctx.work, PORT: port }, `${ctx.work}/nginx-upstream.conf`);
  const proc = start('upstream-http (nginx)', ctx.tools.nginx, ['-c', conf, '-p', ctx.work, '-e', `${ctx.work}/logs/nginx-upstream.error.log`], {
    cpu: ctx.layout.upstream,
    logFile: `${ctx.work}/logs/upstream-http.log`,
  });
  await waitForPort(port, { proc });
  return { port, proc };
}

export async function startGrpcUpstream(ctx) {
  const port = await freePort();
  const proc = start('upstream-grpc (node h2c)', process.execPath, [GRPC_SERVER, String(port)], {
    cpu: ctx.layout.upstream,
    logFile: `${ctx.work}/logs/upstream-grpc.log`,
  });
  await waitForPort(port, { proc });
  return { port, proc };
}
