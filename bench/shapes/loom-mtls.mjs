// Loom 2-hop with mutual TLS between the proxies, their certificates issued by a real `loom controller`.
import { stop } from '../lib/procs.mjs';
import { startController } from '../lib/controller.mjs';
import { account, meshTrust } from '../lib/mesh-trust.mjs';
import { mtlsCounter } from '../lib/mtls-counter.mjs';
import { SERVICE, startLoom } from './loom.mjs';

/** The LOOM_PROXY_IDENTITY_* settings for a proxy of service account `sa`. */
export async function identityEnv(trust, controller, sa) {
  return {
    LOOM_PROXY_IDENTITY_LOCAL_NAME: trust.identityOf(sa),
    LOOM_PROXY_IDENTITY_TRUST_ANCHORS: trust.anchorPem,
    LOOM_PROXY_IDENTITY_TOKEN_FILE: await trust.tokenFile(sa),
    LOOM_PROXY_IDENTITY_SVC_ADDR: controller.addr,
  };
}

/** Hop B: a proxy with an identity in front of the app; ready once it holds its certificate. */
export async function startMeshedLoom(ctx, trust, controller, name, appPort) {
  const sa = account('loom-b');
  const b = await startLoom(ctx, name, {
    appPort,
    discovery: `${SERVICE}:80 -> 127.0.0.1:${appPort}`,
    env: await identityEnv(trust, controller, sa),
  });
  return { ...b, identity: trust.identityOf(sa) };
}

export const loom2hopMtls = {
  name: 'loom-2hop-mtls',
  proxyCount: 2,
  grpc: true,
  async start(ctx, workload, upstreamPort) {
    const trust = await meshTrust(ctx);
    // Pinned with the proxies; it only works while they start (certificates live 24 h, no renewal in a run).
    const controller = await startController(ctx, trust, `loom-2hop-mtls-${workload}-controller`);
    const started = [controller];
    try {
      const b = await startMeshedLoom(ctx, trust, controller, `loom-2hop-mtls-${workload}-B`, upstreamPort);
      started.push(b);
      // identity=: A opens TLS 1.3 with its client certificate and accepts only B's; B requires A's.
      const a = await startLoom(ctx, `loom-2hop-mtls-${workload}-A`, {
        appPort: upstreamPort,
        discovery: `${SERVICE}:80 -> 127.0.0.1:${b.inbound} meshed identity=${b.identity}`,
        env: await identityEnv(trust, controller, account('loom-a')),
      });
      return { port: a.port, proxies: [a, b], aux: [controller], mtlsCount: mtlsCounter(a, b.identity) };
    } catch (err) {
      for (const p of started.reverse()) await stop(p.proc);
      throw err;
    }
  },
};
