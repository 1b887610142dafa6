// HAProxy 2-hop with mutual TLS 1.3 between the hops, certificates from Loom's issuer (ECDSA P-256).
import { stop } from '../lib/procs.mjs';
import { account, meshTrust } from '../lib/mesh-trust.mjs';
import { startHaproxy } from './haproxy.mjs';

/** Hop B: terminates mTLS (client certificates required), then plaintext to the app as in the plain shape. */
export async function startHaproxyB(ctx, trust, name, workload, appPort) {
  const b = await trust.leaf(account('haproxy-b'));
  const bindOpts = ` ssl crt ${b.pemFile} ca-file ${trust.files.anchors} verify required ssl-min-ver TLSv1.3 alpn h2,http/1.1`;
  const hop = await startHaproxy(ctx, name, workload, appPort, { bindOpts });
  return { ...hop, identity: b.identity };
}

export const haproxy2hopMtls = {
  name: 'haproxy-2hop-mtls',
  proxyCount: 2,
  grpc: true,
  async start(ctx, workload, upstreamPort) {
    const trust = await meshTrust(ctx);
    const b = await startHaproxyB(ctx, trust, `haproxy-2hop-mtls-${workload}-B`, workload, upstreamPort);
    try {
      const a = await trust.leaf(account('haproxy-a'));
      // A presents its certificate and verifies B's name; HTTP/1.1 keep-alive between the hops for HTTP, h2 for gRPC.
      const alpn = workload === 'grpc' ? 'h2' : 'http/1.1';
      const serverOpts = ` ssl crt ${a.pemFile} ca-file ${trust.files.anchors} verify required` +
        ` sni str(${b.identity}) verifyhost ${b.identity} ssl-min-ver TLSv1.3 alpn ${alpn}`;
      const hopA = await startHaproxy(ctx, `haproxy-2hop-mtls-${workload}-A`, workload, b.port, { bindOpts: workload === 'grpc' ? ' proto h2' : '', serverOpts });
      return { port: hopA.port, proxies: [hopA, b] };
    } catch (err) {
      await stop(b.proc);
      throw err;
    }
  },
};
