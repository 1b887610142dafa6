// HAProxy 1-hop and 2-hop. Between the two hops: HTTP/1.1 keep-alive for HTTP, h2 for gRPC (h2c in).
import { start, stop, waitForPort } from '../lib/procs.mjs';
import { freePort } from '../lib/ports.mjs';
import { render } from '../lib/template.mjs';

/** One hop; `bindOpts` / `serverOpts` replace the plaintext ones (the mTLS shape's ssl settings). */
export async function startHaproxy(ctx, name, workload, serverPort, { bindOpts, serverOpts } = {}) {
  const port = await freePort();
  const h2 = workload === 'grpc';
  const conf = render('haproxy.cfg', {
    PIDFILE: `${ctx.work}/${name}.pid`,
    PORT: port,
    BIND_OPTS: bindOpts ?? (h2 ? ' proto h2' : ''),
    SERVER_PORT: serverPort,
    SERVER_OPTS: serverOpts ?? (h2 ? ' proto h2' : ''),
  }, `${ctx.work}/${name}.cfg`);
  // -db: stay in the foreground so the pid we hold is the proxy itself.
  const proc = start(name, ctx.tools.haproxy, ['-db', '-f', conf], {
    cpu: ctx.layout.proxies,
    logFile: `${ctx.work}/logs/${name}.log`,
  });
  await waitForPort(port, { proc });
  return { label: name, proc, port };
}

export const haproxy1hop = {
  name: 'haproxy-1hop',
  proxyCount: 1,
  grpc: true,
  async start(ctx, workload, upstreamPort) {
    const a = await startHaproxy(ctx, `haproxy-1hop-${workload}`, workload, upstreamPort);
    return { port: a.port, proxies: [a] };
  },
};

export const haproxy2hop = {
  name: 'haproxy-2hop',
  proxyCount: 2,
  grpc: true,
  async start(ctx, workload, upstreamPort) {
    const b = await startHaproxy(ctx, `haproxy-2hop-${workload}-B`, workload, upstreamPort);
    try {
      const a = await startHaproxy(ctx, `haproxy-2hop-${workload}-A`, workload, b.port);
      return { port: a.port, proxies: [a, b] };
    } catch (err) {
      await stop(b.proc);
      throw err;
    }
  },
};
