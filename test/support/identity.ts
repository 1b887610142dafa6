// A real Identity API for end-to-end tests: fresh trust roots, the control plane's Certify service
// on h2c, and the settings that give a proxy an identity (a token file per service account).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrpcApiServer } from '../../src/control/destination/server.js';
import { CertificateIssuer } from '../../src/control/identity/issuer.js';
import { LocalTokenReviewer, LocalTokenSigner, generateTokenKeyPair } from '../../src/control/identity/local-token.js';
import { identityService } from '../../src/control/identity/service.js';
import { generateTrustRoots, type TrustRoots } from '../../src/control/identity/trust-roots.js';
import { EndpointIndex } from '../../src/control/index/endpoint-index.js';
import { identityName, type ServiceAccountRef } from '../../src/identity/names.js';

export const TRUST_DOMAIN = 'cluster.local';

export interface TestIdentityService {
  addr: string;
  roots: TrustRoots;
  issuer: CertificateIssuer;
  signer: LocalTokenSigner;
  /** The LOOM_PROXY_IDENTITY_* settings for a proxy of this service account. */
  proxyEnv(sa: ServiceAccountRef, opts?: { tokenFor?: ServiceAccountRef }): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export function idOf(sa: ServiceAccountRef): string {
  return identityName(sa, TRUST_DOMAIN);
}

export async function startIdentityService(opts: { lifetimeMs?: number } = {}): Promise<TestIdentityService> {
  const roots = await generateTrustRoots({ trustDomain: TRUST_DOMAIN });
  const issuer = await CertificateIssuer.load({ anchorsPem: roots.anchorCertPem, issuerCertPem: roots.issuerCertPem, issuerKeyPem: roots.issuerKeyPem, trustDomain: TRUST_DOMAIN });
  const tokenKeys = generateTokenKeyPair();
  const signer = new LocalTokenSigner(tokenKeys.privateKeyPem, TRUST_DOMAIN);
  const service = identityService({
    issuer,
    reviewer: new LocalTokenReviewer(tokenKeys.publicKeyPem, TRUST_DOMAIN),
    trustDomain: TRUST_DOMAIN,
    ...(opts.lifetimeMs === undefined ? {} : { lifetimeMs: opts.lifetimeMs }),
  });
  const server = new GrpcApiServer(new EndpointIndex(), undefined, undefined, service);
  const { port } = await server.listen('127.0.0.1', 0);
  const dir = mkdtempSync(join(tmpdir(), 'loom-identity-'));
  let tokens = 0;
  return {
    addr: `127.0.0.1:${port}`,
    roots,
    issuer,
    signer,
    async proxyEnv(sa, { tokenFor = sa } = {}) {
      const tokenFile = join(dir, `token-${tokens++}.jwt`);
      writeFileSync(tokenFile, await signer.sign(tokenFor, 3_600_000), { mode: 0o600 });
      return {
        LOOM_PROXY_IDENTITY_LOCAL_NAME: idOf(sa),
        LOOM_PROXY_IDENTITY_TRUST_ANCHORS: roots.anchorCertPem,
        LOOM_PROXY_IDENTITY_TOKEN_FILE: tokenFile,
        LOOM_PROXY_IDENTITY_SVC_ADDR: `127.0.0.1:${port}`,
      };
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
