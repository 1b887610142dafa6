// Loom 1-hop (outbound only) and 2-hop (A outbound -> HTTP/2 -> B inbound -> upstream).
// Loom is configured only by LOOM_PROXY_* environment variables; see the brief's contract in RESULTS.md.
import { existsSync } from 'node:fs';
import { start, stop, waitForHttp } from '../lib/procs.mjs';
import { freePort } from '../lib/ports.mjs';

export const SERVICE = 'upstream.bench.svc';

export function loomMain(ctx) {
  return `${ctx.repoRoot}/dist/cli/main.js`;
}

/** Why the Loom shapes cannot run, or null. */
export function loomMissing(ctx) {
  const main = loomMain(ctx);
  return existsSync(main) ? null : `${main} does not exist: run \`npm run build\` at the repository root (or leave the Loom shapes out with --only)`;
}

// For profiling: extra node flags for every Loom proxy, e.g. BENCH_LOOM_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
const NODE_ARGS = (process.env.BENCH_LOOM_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

/** Starts one proxy and waits for its /ready; `env` adds settings (the identity ones, for mTLS). */
export async function startLoom(ctx, name, { appPort, discovery, env: extra = {} }) {
  const [inbound, outbound, admin] = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env,
    LOOM_PROXY_INBOUND_LISTEN_ADDR: `127.0.0.1:${inbound}`,
    LOOM_PROXY_OUTBOUND_LISTEN_ADDR: `127.0.0.1:${outbound}`,
    LOOM_PROXY_ADMIN_LISTEN_ADDR: `127.0.0.1:${admin}`,
    LOOM_PROXY_APP_ADDR: `127.0.0.1:${appPort}`,
    LOOM_PROXY_DISCOVERY: discovery,
    LOOM_PROXY_LOG_LEVEL: 'warn',
    ...extra,
  };
  const proc = start(name, process.execPath, [...NODE_ARGS, loomMain(ctx), 'proxy'], {
    cpu: ctx.layout.proxies,
    env,
    cwd: ctx.repoRoot,
    logFile: `${ctx.work}/logs/${name}.log`,
  });
  await waitForHttp(`http://127.0.0.1:${admin}/ready`, { proc });
  return { label: name, proc, port: outbound, inbound, admin };
}

export const loom1hop = {
  name: 'loom-1hop',
  proxyCount: 1,
  grpc: true,
  async start(ctx, workload, upstreamPort) {
    const a = await startLoom(ctx, `loom-1hop-${workload}`, {
      appPort: upstreamPort,
      discovery: `${SERVICE}:80 -> 127.0.0.1:${upstreamPort}`,
    });
    return { port: a.port, proxies: [a] };
  },
};

export const loom2hop = {
  name: 'loom-2hop',
  proxyCount: 2,
  grpc: true,
  async start(ctx, workload, upstreamPort) {
    const b = await startLoom(ctx, `loom-2hop-${workload}-B`, {
      appPort: upstreamPort,
      discovery: `${SERVICE}:80 -> 127.0.0.1:${upstreamPort}`,
    });
    try {
      const a = await startLoom(ctx, `loom-2hop-${workload}-A`, {
        appPort: upstreamPort,
        discovery: `${SERVICE}:80 -> 127.0.0.1:${b.inbound} meshed`,
      });
      return { port: a.port, proxies: [a, b] };
    } catch (err) {
      await stop(b.proc);
      throw err;
    }
  },
};
