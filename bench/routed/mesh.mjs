// One two-hop mTLS mesh whose client proxy discovers through a real `loom controller`: the controller
// issues both proxies' certificates, serves A the endpoints of every name (all on B's inbound) and the
// client policy its stored resources make. The routed A/B starts one per variant; only the resources differ.
import { renameSync, writeFileSync } from 'node:fs';
import { stop } from '../lib/procs.mjs';
import { startController } from '../lib/controller.mjs';
import { account, meshTrust } from '../lib/mesh-trust.mjs';
import { startLoom } from '../shapes/loom.mjs';
import { identityEnv, startMeshedLoom } from '../shapes/loom-mtls.mjs';
import { NAMESPACE, SERVICE_NAMES } from './policy.mjs';

/** The local platform's endpoint table (what `loom up` publishes), written whole and renamed into place. */
function publishEndpoints(stateDir, b) {
  const endpoint = { addr: `127.0.0.1:${b.inbound}`, host: '127.0.0.1', port: b.inbound, weight: 1, meshed: true, identity: b.identity, labels: { namespace: NAMESPACE, pod: 'loom-b-0' } };
  const table = Object.fromEntries(SERVICE_NAMES.map((name) => [name, [endpoint]]));
  writeFileSync(`${stateDir}/endpoints.json.tmp`, `${JSON.stringify(table, null, 1)}\n`);
  renameSync(`${stateDir}/endpoints.json.tmp`, `${stateDir}/endpoints.json`);
}

/**
 * Returns { name, port (A's outbound), a, b, proxies, aux }. The controller runs on the load
 * generator's core: after the proxies start it only holds two idle streams open.
 */
export async function startRoutedMesh(ctx, name, upstreamPort, resources) {
  const trust = await meshTrust(ctx);
  const controller = await startController(ctx, trust, `${name}-controller`, { cpu: ctx.layout.loadgen, resources });
  const started = [controller];
  try {
    const b = await startMeshedLoom(ctx, trust, controller, `${name}-B`, upstreamPort);
    started.push(b);
    publishEndpoints(controller.stateDir, b);
    const a = await startLoom(ctx, `${name}-A`, {
      appPort: upstreamPort,
      discovery: '',
      env: { ...(await identityEnv(trust, controller, account('loom-a'))), LOOM_PROXY_DESTINATION_ADDR: controller.addr, LOOM_PROXY_DESTINATION_CONTEXT: `loom-a.${NAMESPACE}` },
    });
    started.push(a);
    return { name, port: a.port, a, b, identity: b.identity, proxies: [a, b], aux: [controller] };
  } catch (err) {
    for (const p of started.reverse()) await stop(p.proc);
    throw err;
  }
}
