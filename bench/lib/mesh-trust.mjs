// The mTLS benchmarks' trust material, made with Loom's own modules from dist/: anchor, issuer, token key, tokens, leaves.
import { mkdirSync, writeFileSync } from 'node:fs';
import { csrMaker } from './csr.mjs';

export const TRUST_DOMAIN = 'cluster.local';
const LIFETIME_MS = 24 * 3_600_000;

const dist = (repoRoot, path) => import(`${repoRoot}/dist/${path}`);

/** A service account of the bench namespace, e.g. account('loom-b'). */
export const account = (serviceAccount) => ({ namespace: 'bench', serviceAccount });

/**
 * Generates fresh material into `dir` and returns { dir, files, anchorPem, identityOf(sa),
 * tokenFile(sa), leaf(sa) }. Files are the controller's flags' inputs: ca.crt, issuer.crt,
 * issuer.key, token-signing.pub.
 */
export async function makeMeshTrust(repoRoot, dir) {
  const [{ generateTrustRoots }, { generateTokenKeyPair, LocalTokenSigner }, { CertificateIssuer }, names] = await Promise.all([
    dist(repoRoot, 'control/identity/trust-roots.js'),
    dist(repoRoot, 'control/identity/local-token.js'),
    dist(repoRoot, 'control/identity/issuer.js'),
    dist(repoRoot, 'identity/names.js'),
  ]);
  const [{ derToPem }, makeCsr] = await Promise.all([dist(repoRoot, 'identity/pem.js'), csrMaker(repoRoot)]);
  mkdirSync(dir, { recursive: true });
  const roots = await generateTrustRoots({ trustDomain: TRUST_DOMAIN });
  const tokenKeys = generateTokenKeyPair();
  const files = {
    anchors: `${dir}/ca.crt`,
    issuerCert: `${dir}/issuer.crt`,
    issuerKey: `${dir}/issuer.key`,
    tokenKey: `${dir}/token-signing.pub`,
  };
  writeFileSync(files.anchors, roots.anchorCertPem);
  writeFileSync(files.issuerCert, roots.issuerCertPem);
  writeFileSync(files.issuerKey, roots.issuerKeyPem, { mode: 0o600 });
  writeFileSync(files.tokenKey, tokenKeys.publicKeyPem);
  const signer = new LocalTokenSigner(tokenKeys.privateKeyPem, TRUST_DOMAIN);
  const issuer = await CertificateIssuer.load({ anchorsPem: roots.anchorCertPem, issuerCertPem: roots.issuerCertPem, issuerKeyPem: roots.issuerKeyPem, trustDomain: TRUST_DOMAIN });
  const identityOf = (sa) => names.identityName(sa, TRUST_DOMAIN);

  return {
    dir,
    files,
    anchorPem: roots.anchorCertPem,
    identityOf,
    /** A token proving `sa`, written to a file (what LOOM_PROXY_IDENTITY_TOKEN_FILE names). */
    async tokenFile(sa) {
      const file = `${dir}/${sa.serviceAccount}.${sa.namespace}.jwt`;
      writeFileSync(file, await signer.sign(sa, LIFETIME_MS), { mode: 0o600 });
      return file;
    },
    /** The token itself, for callers of the Identity API. */
    token: (sa) => signer.sign(sa, LIFETIME_MS),
    /**
     * A leaf for `sa` through the issuer's own checks, for a CSR like the one Loom's proxy sends.
     * Returns { identity, certPem (leaf + chain), keyPem, pemFile (certificate, chain and key, as
     * HAProxy's `crt` wants) }.
     */
    async leaf(sa) {
      const identity = identityOf(sa);
      const { der, keyPem } = await makeCsr(identity);
      const issued = await issuer.issue({ csrDer: der, identity, spiffe: names.spiffeId(sa, TRUST_DOMAIN), lifetimeMs: LIFETIME_MS });
      const certPem = derToPem(issued.leafDer) + issued.chainDer.map((d) => derToPem(d)).join('');
      const pemFile = `${dir}/${sa.serviceAccount}.${sa.namespace}.pem`;
      writeFileSync(pemFile, certPem + keyPem, { mode: 0o600 });
      return { identity, certPem, keyPem, pemFile };
    },
  };
}

/** The run's material, made once per ctx (under ctx.work/identity) and shared by the mTLS shapes. */
export function meshTrust(ctx) {
  ctx.trust ??= makeMeshTrust(ctx.repoRoot, `${ctx.work}/identity`);
  return ctx.trust;
}
