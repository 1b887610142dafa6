// Checks a certificate the Identity API returned before the proxy presents it: it names this
// proxy's identity and chains to one of the trust anchors the proxy was started with.
import { X509Certificate } from 'node:crypto';
import { pemBlocks } from '../../identity/pem.js';

export function verifyIssued(leafPem: string, chainPem: string, anchors: readonly X509Certificate[], identity: string): X509Certificate {
  const leaf = new X509Certificate(leafPem);
  const dnsNames = (leaf.subjectAltName ?? '')
    .split(', ')
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4));
  if (dnsNames.length !== 1 || dnsNames[0] !== identity) {
    throw new Error(`the issued certificate names ${dnsNames.join(', ') || 'no DNS name'}, not ${identity}`);
  }
  let current = leaf;
  for (const pem of pemBlocks(chainPem)) {
    const next = new X509Certificate(pem);
    if (!current.checkIssued(next) || !current.verify(next.publicKey)) break;
    current = next;
  }
  if (!anchors.some((anchor) => current.checkIssued(anchor) && current.verify(anchor.publicKey))) {
    throw new Error('the issued certificate does not chain to this proxy\'s trust anchors');
  }
  return leaf;
}
