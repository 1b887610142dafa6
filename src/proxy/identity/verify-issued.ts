// Checks a certificate the Identity API returned before the proxy presents it: it names this
// proxy's identity and chains to one of the trust anchors the proxy was started with.
import { X509Certificate } from 'node:crypto';
import { dnsNames, walkChain } from '../../identity/certificates.js';
import { pemBlocks } from '../../identity/pem.js';

export function verifyIssued(leafPem: string, chainPem: string, anchors: readonly X509Certificate[], identity: string): X509Certificate {
  const leaf = new X509Certificate(leafPem);
  const names = dnsNames(leaf.subjectAltName);
  if (names.length !== 1 || names[0] !== identity) {
    throw new Error(`the issued certificate names ${names.join(', ') || 'no DNS name'}, not ${identity}`);
  }
  const chain = [leaf, ...pemBlocks(chainPem).map((pem) => new X509Certificate(pem))];
  if (walkChain(chain, anchors).anchor === undefined) {
    throw new Error('the issued certificate does not chain to this proxy\'s trust anchors');
  }
  return leaf;
}
