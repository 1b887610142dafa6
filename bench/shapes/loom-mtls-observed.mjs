// Loom 2-hop mTLS while being watched: a `loom tap` of both proxies open through the controller and
// the controller scraping both proxies' /metrics every second. The issue's target: at most 10% below
// loom-2hop-mtls. The run checks that the watching really happened (tap events, stat rows).
import { writeFileSync } from 'node:fs';
import { cpuSeconds, processTree, stop } from '../lib/procs.mjs';
import { freePort } from '../lib/ports.mjs';
import { startController } from '../lib/controller.mjs';
import { account, meshTrust } from '../lib/mesh-trust.mjs';
import { mtlsCounter } from '../lib/mtls-counter.mjs';
import { SERVICE, startLoom } from './loom.mjs';
import { identityEnv } from './loom-mtls.mjs';

const CONTROLLER_IDENTITY = 'loom-controller.loom.serviceaccount.identity.loom.cluster.local';

async function tappedLoom(ctx, trust, controller, name, sa, { appPort, discovery }) {
  const tap = await freePort();
  const proxy = await startLoom(ctx, name, {
    appPort,
    discovery,
    env: { ...(await identityEnv(trust, controller, sa)), LOOM_PROXY_TAP_LISTEN_ADDR: `127.0.0.1:${tap}`, LOOM_PROXY_TAP_SVC_NAME: CONTROLLER_IDENTITY },
  });
  return { ...proxy, tap: `127.0.0.1:${tap}`, identity: trust.identityOf(sa), workload: sa.serviceAccount };
}

/** Reads the controller's merged tap of the bench namespace until stopped; counts the events. */
async function openTap(admin) {
  const stopper = new AbortController();
  const res = await fetch(`${admin}/api/tap?namespace=bench&kind=namespace&name=bench`, { signal: stopper.signal });
  if (res.status !== 200) throw new Error(`the controller refused the tap: ${res.status} ${await res.text()}`);
  const tap = { events: 0, stop: () => stopper.abort() };
  void (async () => {
    try {
      for await (const chunk of res.body) tap.events += Buffer.from(chunk).toString().split('\n').length - 1;
    } catch {
      // stopped
    }
  })();
  return tap;
}

/** The share of a core a process has used since this was called, read when the returned function is. */
function cpuMeter(p) {
  const pids = processTree(p.proc.pid);
  const [cpu0, t0] = [cpuSeconds(pids), performance.now()];
  return () => (100 * (cpuSeconds(pids) - cpu0)) / ((performance.now() - t0) / 1000);
}

/** The controller's stat of the bench pods: proof that it scraped them during the run. */
async function statRequests(admin) {
  try {
    const res = await fetch(`${admin}/api/stat?kind=pod&namespace=bench&window=10s`);
    const { rows } = await res.json();
    return rows.reduce((n, r) => n + (r.requests ?? 0), 0);
  } catch {
    return NaN;
  }
}

export const loom2hopMtlsObserved = {
  name: 'loom-2hop-mtls-observed',
  proxyCount: 2,
  grpc: true,
  async start(ctx, workload, upstreamPort) {
    const trust = await meshTrust(ctx);
    const name = `loom-2hop-mtls-observed-${workload}`;
    // The controller's scraping and tap fan-out are its work, not the proxies': it runs beside the load
    // generator, and its CPU is reported in the notes.
    const controller = await startController(ctx, trust, `${name}-controller`, { cpu: ctx.layout.loadgen, args: ['--metrics-scrape-interval', '1s'] });
    const controllerCpu = cpuMeter(controller);
    const started = [controller];
    try {
      const b = await tappedLoom(ctx, trust, controller, `${name}-B`, account('loom-b'), { appPort: upstreamPort, discovery: `${SERVICE}:80 -> 127.0.0.1:${upstreamPort}` });
      started.push(b);
      const a = await tappedLoom(ctx, trust, controller, `${name}-A`, account('loom-a'), {
        appPort: upstreamPort,
        discovery: `${SERVICE}:80 -> 127.0.0.1:${b.inbound} meshed identity=${b.identity}`,
      });
      started.push(a);
      // What `loom up` writes for the controller: the proxies to scrape and tap.
      const proxies = [a, b].map((p) => ({ namespace: 'bench', workload: p.workload, pod: `${p.workload}-0`, admin: `http://127.0.0.1:${p.admin}`, identity: p.identity, tap: p.tap }));
      writeFileSync(`${controller.stateDir}/proxies.json`, `${JSON.stringify(proxies)}\n`);
      const tap = await openTap(controller.admin);
      return {
        port: a.port,
        proxies: [a, b],
        aux: [controller],
        mtlsCount: mtlsCounter(a, b.identity),
        async finish() {
          const seen = await statRequests(controller.admin);
          tap.stop();
          return [`${workload}: the tap delivered ${tap.events} events; the controller's 10 s stat counted ${Number.isFinite(seen) ? seen.toFixed(0) : 'no'} requests; the controller used ${controllerCpu().toFixed(1)}% of a core`];
        },
      };
    } catch (err) {
      for (const p of started.reverse()) await stop(p.proc);
      throw err;
    }
  },
};
