// Certificates as the CLI shows and checks them: a summary for people, and a chain check against
// the trust anchors that names the first problem it finds.
import { X509Certificate } from 'node:crypto';
import { dnsNames, walkChain } from '../identity/certificates.js';
import { pemBlocks } from '../identity/pem.js';

export interface CertificateSummary {
  subject: string;
  names: string[];
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  serial: string;
  fingerprint256: string;
  isCA: boolean;
}

export function summarize(cert: X509Certificate): CertificateSummary {
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    names: (cert.subjectAltName ?? '').split(', ').filter((n) => n !== ''),
    issuer: cert.issuer.replace(/\n/g, ', '),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    serial: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
    isCA: cert.ca,
  };
}

export function parseCertificates(pem: string): X509Certificate[] {
  return pemBlocks(pem).map((block) => new X509Certificate(block));
}

/** The first DNS name of a certificate: the mesh identity of a proxy's leaf. */
export function dnsName(cert: X509Certificate): string {
  return dnsNames(cert.subjectAltName)[0] ?? '';
}

/** Why `cert` is not valid at `now`, or undefined. */
export function validityProblem(cert: X509Certificate, now: Date): string | undefined {
  const { notBefore, notAfter } = summarize(cert);
  if (now < notBefore) return `is not valid before ${notBefore.toISOString()}`;
  if (now > notAfter) return `expired at ${notAfter.toISOString()}`;
  return undefined;
}

/**
 * Walks leaf -> intermediates -> an anchor, checking signatures and validity of every link.
 * Returns undefined when the chain holds, else what is wrong.
 */
export function chainProblem(chain: X509Certificate[], anchors: X509Certificate[], now: Date): string | undefined {
  if (chain.length === 0) return 'no certificate';
  const { path, anchor } = walkChain(chain, anchors);
  for (const cert of path) {
    const problem = validityProblem(cert, now);
    if (problem) return `${describeShort(cert)} ${problem}`;
  }
  const last = path.at(-1) as X509Certificate;
  if (anchor === undefined) return `${describeShort(last)} does not chain to the trust anchors (issuer ${last.issuer.replace(/\n/g, ', ')})`;
  const anchorProblem = validityProblem(anchor, now);
  return anchorProblem ? `trust anchor ${describeShort(anchor)} ${anchorProblem}` : undefined;
}

function describeShort(cert: X509Certificate): string {
  return dnsName(cert) || cert.subject.replace(/\n/g, ', ');
}

/** "in 23h 59m", "in 41 days", "3 days ago". */
export function fromNow(date: Date, now: Date): string {
  const ms = date.getTime() - now.getTime();
  const abs = Math.abs(ms);
  const text =
    abs >= 2 * 86_400_000 ? `${Math.floor(abs / 86_400_000)} days` : abs >= 3_600_000 ? `${Math.floor(abs / 3_600_000)}h ${Math.floor((abs % 3_600_000) / 60_000)}m` : `${Math.floor(abs / 60_000)}m ${Math.floor((abs % 60_000) / 1000)}s`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}
