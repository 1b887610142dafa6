// Generates the mesh's trust anchor (a self-signed root) and the identity issuer it signs, as PEM:
// what `loom up` creates when the user brings no certificates of their own.
import { EC_P256, generateKeyPair, x509 } from '../../identity/x509.js';
import { importSigningKey, privateKeyPem, randomSerial } from './keys.js';

export interface TrustRoots {
  anchorCertPem: string;
  anchorKeyPem: string;
  issuerCertPem: string;
  issuerKeyPem: string;
}

const CA_USAGES = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;

function yearsAfter(date: Date, years: number): Date {
  const d = new Date(date);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
}

export async function generateTrustRoots({ trustDomain, now = new Date() }: { trustDomain: string; now?: Date }): Promise<TrustRoots> {
  const keys = await generateKeyPair();
  const anchor = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [`root.identity.loom.${trustDomain}`] }],
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: yearsAfter(now, 10),
    signingAlgorithm: EC_P256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(CA_USAGES, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const issuer = await signIssuer(anchor, keys.privateKey, trustDomain, now);
  return { anchorCertPem: anchor.toString('pem') + '\n', anchorKeyPem: privateKeyPem(keys.privateKey), ...issuer };
}

/** A fresh issuer (new key) from a stored anchor, e.g. when the previous one is about to expire. */
export async function renewIssuer(anchorCertPem: string, anchorKeyPem: string, trustDomain: string, now = new Date()): Promise<{ issuerCertPem: string; issuerKeyPem: string }> {
  const anchor = new x509.X509Certificate(anchorCertPem);
  const { key } = await importSigningKey(anchorKeyPem);
  return signIssuer(anchor, key, trustDomain, now);
}

async function signIssuer(anchor: x509.X509Certificate, anchorKey: CryptoKey, trustDomain: string, now: Date): Promise<{ issuerCertPem: string; issuerKeyPem: string }> {
  const keys = await generateKeyPair();
  const notAfter = yearsAfter(now, 1);
  const issuer = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [`identity.loom.${trustDomain}`] }],
    issuer: anchor.subjectName,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: notAfter < anchor.notAfter ? notAfter : anchor.notAfter,
    signingAlgorithm: EC_P256,
    publicKey: keys.publicKey,
    signingKey: anchorKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(CA_USAGES, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await authorityKeyId(anchor),
    ],
  });
  return { issuerCertPem: issuer.toString('pem') + '\n', issuerKeyPem: privateKeyPem(keys.privateKey) };
}

/** The AuthorityKeyIdentifier for certificates `ca` signs: its SKI when it has one. */
export async function authorityKeyId(ca: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = ca.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : x509.AuthorityKeyIdentifierExtension.create(ca.publicKey);
}
