// The proxy's certificate signing request: its own key, the identity's name as DNS SAN and, when the
// name carries a trust domain, its SPIFFE URI. Only the public key leaves the process.
import { parseIdentityName, spiffeId } from '../../identity/names.js';
import { EC_P256, x509 } from '../../identity/x509.js';

export async function createCsr(keys: CryptoKeyPair, identity: string): Promise<Uint8Array> {
  const names: { type: 'dns' | 'url'; value: string }[] = [{ type: 'dns', value: identity }];
  const parsed = parseIdentityName(identity);
  if (parsed) names.push({ type: 'url', value: spiffeId(parsed, parsed.trustDomain) });
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${identity}`,
    keys,
    signingAlgorithm: EC_P256,
    extensions: [new x509.SubjectAlternativeNameExtension(names)],
  });
  return new Uint8Array(csr.rawData);
}
