// Starts a real `loom controller` with the run's trust material: the Identity API, and the Destination API over its state dir.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { start, waitForHttp } from './procs.mjs';
import { freePort } from './ports.mjs';
import { TRUST_DOMAIN } from './mesh-trust.mjs';

// For profiling, like BENCH_LOOM_NODE_ARGS for the proxies: BENCH_CONTROLLER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
const NODE_ARGS = (process.env.BENCH_CONTROLLER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

/**
 * Returns { label, proc, addr, admin, stateDir }; `cpu` pins it (the proxy core unless told
 * otherwise); `args` adds flags (e.g. a scrape interval); `resources` (parsed documents: kind,
 * metadata.namespace, metadata.name) are stored as `loom apply` would before it starts.
 */
export async function startController(ctx, trust, name, { cpu = ctx.layout.proxies, args: extra = [], resources = [] } = {}) {
  const [port, admin] = [await freePort(), await freePort()];
  const stateDir = `${ctx.work}/tmp/${name}-state`;
  // A state dir left by an earlier run could hold resources this run did not ask for.
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  // The local platform's endpoint table; empty until a benchmark publishes endpoints (most use only the Identity API).
  writeFileSync(`${stateDir}/endpoints.json`, '{}\n');
  for (const doc of resources) {
    // The local platform's resource store: <kind lowercased>/<namespace>/<name>.yaml (JSON is YAML).
    const dir = `${stateDir}/resources/${doc.kind.toLowerCase()}/${doc.metadata.namespace}`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/${doc.metadata.name}.yaml`, `${JSON.stringify(doc, null, 2)}\n`);
  }
  const args = [...NODE_ARGS, `${ctx.repoRoot}/dist/cli/main.js`, 'controller', '--state-dir', stateDir,
    '--port', String(port), '--admin-port', String(admin),
    '--identity-trust-domain', TRUST_DOMAIN,
    '--identity-trust-anchors-file', trust.files.anchors,
    '--identity-issuer-certificate-file', trust.files.issuerCert,
    '--identity-issuer-key-file', trust.files.issuerKey,
    '--identity-token-key-file', trust.files.tokenKey,
    '--identity-issuance-lifetime', '24h', ...extra];
  const proc = start(name, process.execPath, args, { cpu, cwd: ctx.repoRoot, logFile: `${ctx.work}/logs/${name}.log` });
  await waitForHttp(`http://127.0.0.1:${admin}/ready`, { proc });
  return { label: name, proc, addr: `127.0.0.1:${port}`, admin: `http://127.0.0.1:${admin}`, stateDir };
}
