// Reading mesh certificates, shared by the proxy (what a peer or the Identity API presented) and the
// CLI (what `loom identity` and `loom check` show): names, and the path from a leaf to an anchor.
import type { X509Certificate } from 'node:crypto';

/** The DNS names of a subjectAltName string ("DNS:a, URI:b"), in order. */
export function dnsNames(subjectAltName: string | undefined): string[] {
  return (subjectAltName ?? '')
    .split(', ')
    .filter((name) => name.startsWith('DNS:'))
    .map((name) => name.slice(4));
}

/**
 * Follows leaf -> intermediates while each one signed the one before; `anchor` is the trust anchor
 * that signed the last certificate walked, undefined when none did.
 */
export function walkChain(chain: readonly X509Certificate[], anchors: readonly X509Certificate[]): { path: X509Certificate[]; anchor: X509Certificate | undefined } {
  const path: X509Certificate[] = [];
  let current = chain[0];
  for (let i = 1; current !== undefined; i++) {
    path.push(current);
    const cert = current;
    const anchor = anchors.find((a) => cert.checkIssued(a) && cert.verify(a.publicKey));
    if (anchor) return { path, anchor };
    const next = chain[i];
    current = next !== undefined && cert.checkIssued(next) && cert.verify(next.publicKey) ? next : undefined;
  }
  return { path, anchor: undefined };
}
