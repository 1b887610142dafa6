// The local platform's identity material in <stateDir>/identity/: a trust anchor and issuer generated
// by the first `loom up` and reused after (the issuer is reissued from the stored anchor before it
// expires), or the user's own three files, checked before anything starts; plus the token key and
// the service-account tokens each replica's proxy presents to the Identity API.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadIssuerFiles, type IssuerFiles } from '../../control/identity/issuer-files.js';
import { CertificateIssuer } from '../../control/identity/issuer.js';
import { importSigningKey } from '../../control/identity/keys.js';
import { generateTokenKeyPair, LocalTokenSigner } from '../../control/identity/local-token.js';
import { generateTrustRoots, renewIssuer } from '../../control/identity/trust-roots.js';
import type { ServiceAccountRef } from '../../identity/names.js';
import { x509 } from '../../identity/x509.js';
import type { LocalDeployment } from './mesh-file.js';

export interface LocalIdentity extends IssuerFiles {
  trustDomain: string;
  /** <stateDir>/identity, absolute. */
  dir: string;
  /** The SPKI public key the controller verifies tokens with. */
  tokenKeyFile: string;
  anchorsPem: string;
  signer: LocalTokenSigner;
}

export const TOKEN_LIFETIME_MS = 48 * 3_600_000;
/** Well inside the token lifetime, so a proxy always rereads a valid token. */
export const TOKEN_REFRESH_MS = 12 * 3_600_000;
const RENEW_BEFORE_MS = 60 * 24 * 3_600_000;

const SUPPLIED_FLAGS: Record<keyof IssuerFiles, string> = {
  anchorsFile: '--identity-trust-anchors-file',
  issuerCertFile: '--identity-issuer-certificate-file',
  issuerKeyFile: '--identity-issuer-key-file',
};

function writeFile(path: string, text: string, mode: number): void {
  writeFileSync(`${path}.tmp`, text, { mode });
  chmodSync(`${path}.tmp`, mode);
  renameSync(`${path}.tmp`, path);
}

function privateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
}

export async function ensureLocalIdentity({ stateDir, trustDomain, supplied, now = new Date() }: { stateDir: string; trustDomain: string; supplied?: Partial<IssuerFiles>; now?: Date }): Promise<LocalIdentity> {
  const dir = resolve(stateDir, 'identity');
  const user = userFiles(supplied);
  privateDir(dir);
  const files = user ?? (await generated(dir, trustDomain, now));
  const issuer = await loadIssuerFiles(files, trustDomain, now);
  return { ...files, trustDomain, dir, anchorsPem: issuer.anchorsPem, ...tokenKeys(dir, trustDomain) };
}

/** The user's files (absolute) when all three are given, undefined when none are. */
function userFiles(supplied: Partial<IssuerFiles> | undefined): IssuerFiles | undefined {
  const keys = Object.keys(SUPPLIED_FLAGS) as (keyof IssuerFiles)[];
  const missing = keys.filter((k) => supplied?.[k] === undefined);
  if (missing.length === keys.length) return undefined;
  if (missing.length > 0) throw new Error(`${Object.values(SUPPLIED_FLAGS).join(', ')} go together; missing: ${missing.map((k) => SUPPLIED_FLAGS[k]).join(', ')}`);
  return Object.fromEntries(keys.map((k) => [k, resolve(supplied?.[k] as string)])) as unknown as IssuerFiles;
}

async function generated(dir: string, trustDomain: string, now: Date): Promise<IssuerFiles> {
  const files = { anchorsFile: join(dir, 'ca.crt'), issuerCertFile: join(dir, 'issuer.crt'), issuerKeyFile: join(dir, 'issuer.key') };
  const anchorKeyFile = join(dir, 'ca.key');
  const soon = new Date(now.getTime() + RENEW_BEFORE_MS);
  if (!(await usableAnchor(files.anchorsFile, anchorKeyFile, trustDomain, soon))) {
    const roots = await generateTrustRoots({ trustDomain, now });
    writeFile(anchorKeyFile, roots.anchorKeyPem, 0o600);
    writeFile(files.anchorsFile, roots.anchorCertPem, 0o644);
    writeFile(files.issuerKeyFile, roots.issuerKeyPem, 0o600);
    writeFile(files.issuerCertFile, roots.issuerCertPem, 0o644);
  } else if (!(await usableIssuer(files, trustDomain, now, soon))) {
    const issuer = await renewIssuer(readFileSync(files.anchorsFile, 'utf8'), readFileSync(anchorKeyFile, 'utf8'), trustDomain, now);
    writeFile(files.issuerKeyFile, issuer.issuerKeyPem, 0o600);
    writeFile(files.issuerCertFile, issuer.issuerCertPem, 0o644);
  }
  return files;
}

/** A stored anchor for this trust domain whose key matches and which outlives `until`. */
async function usableAnchor(certFile: string, keyFile: string, trustDomain: string, until: Date): Promise<boolean> {
  try {
    const cert = new x509.X509Certificate(readFileSync(certFile, 'utf8'));
    const { spkiDer } = await importSigningKey(readFileSync(keyFile, 'utf8'));
    return cert.subject === `CN=root.identity.loom.${trustDomain}` && cert.notAfter > until && spkiDer.equals(Buffer.from(cert.publicKey.rawData));
  } catch {
    return false;
  }
}

async function usableIssuer(files: IssuerFiles, trustDomain: string, now: Date, until: Date): Promise<boolean> {
  try {
    const read = (f: string): string => readFileSync(f, 'utf8');
    const issuer = await CertificateIssuer.load({ anchorsPem: read(files.anchorsFile), issuerCertPem: read(files.issuerCertFile), issuerKeyPem: read(files.issuerKeyFile), trustDomain, now });
    return issuer.issuerNotAfter > until;
  } catch {
    return false;
  }
}

/** The token signing key, reused when it reads; its public half is always rewritten to match. */
function tokenKeys(dir: string, trustDomain: string): { tokenKeyFile: string; signer: LocalTokenSigner } {
  const keyFile = join(dir, 'token-signing.key');
  const tokenKeyFile = join(dir, 'token-signing.pub');
  let signer: LocalTokenSigner;
  try {
    signer = new LocalTokenSigner(readFileSync(keyFile, 'utf8'), trustDomain);
  } catch {
    const { privateKeyPem } = generateTokenKeyPair();
    writeFile(keyFile, privateKeyPem, 0o600);
    signer = new LocalTokenSigner(privateKeyPem, trustDomain);
  }
  writeFile(tokenKeyFile, signer.publicKeyPem, 0o644);
  return { tokenKeyFile, signer };
}

/** <stateDir>/identity/tokens/<ns>/<replica>.jwt, replaced whole so a proxy never reads half a token. */
export function replicaTokenFile(identity: LocalIdentity, namespace: string, replica: string): string {
  return join(identity.dir, 'tokens', namespace, `${replica}.jwt`);
}

export async function writeReplicaToken(identity: LocalIdentity, sa: ServiceAccountRef, replica: string, now = new Date()): Promise<string> {
  const path = replicaTokenFile(identity, sa.namespace, replica);
  const token = await identity.signer.sign(sa, TOKEN_LIFETIME_MS, now);
  privateDir(dirname(path));
  writeFile(path, token, 0o600);
  return path;
}

export function serviceAccount(deployment: LocalDeployment): ServiceAccountRef {
  return { namespace: deployment.metadata.namespace ?? 'default', serviceAccount: deployment.spec.template.spec.serviceAccountName };
}

/** How `loom up` hands this material to `loom controller`. */
export function controllerIdentityFlags(identity: LocalIdentity): string[] {
  return [
    ...['--identity-trust-domain', identity.trustDomain],
    ...['--identity-trust-anchors-file', identity.anchorsFile],
    ...['--identity-issuer-certificate-file', identity.issuerCertFile],
    ...['--identity-issuer-key-file', identity.issuerKeyFile],
    ...['--identity-token-key-file', identity.tokenKeyFile],
  ];
}
