// nginx 1-hop: proxy_pass with an upstream keep-alive pool; grpc_pass for gRPC.
import { start, waitForPort } from '../lib/procs.mjs';
import { freePort } from '../lib/ports.mjs';
import { render } from '../lib/template.mjs';

export const nginx1hop = {
  name: 'nginx-1hop',
  proxyCount: 1,
  grpc: true,
  async start(ctx, workload, upstreamPort) {
    const name = `nginx-1hop-${workload}`;
    const port = await freePort();
    const template = workload === 'grpc' ? 'nginx-proxy-grpc.conf' : 'nginx-proxy-http.conf';
    const conf = render(template, { WORK: ctx.work, NAME: name, PORT: port, UPSTREAM_PORT: upstreamPort }, `${ctx.work}/${name}.conf`);
    const proc = start(name, ctx.tools.nginx, ['-c', conf, '-p', ctx.work, '-e', `${ctx.work}/logs/${name}.error.log`], {
      cpu: ctx.layout.proxies,
      logFile: `${ctx.work}/logs/${name}.log`,
    });
    await waitForPort(port, { proc });
    return { port, proxies: [{ label: name, proc, port }] };
  },
};
