// Certificate signing requests like a proxy's (CN, DNS and SPIFFE SANs), fresh P-256 keys, via dist/'s X.509 loader.
import { KeyObject } from 'node:crypto';

/** Resolves a function identity -> { der, keyPem }. */
export async function csrMaker(repoRoot) {
  const [{ x509, EC_P256, generateKeyPair }, { parseIdentityName, spiffeId }] = await Promise.all([
    import(`${repoRoot}/dist/identity/x509.js`),
    import(`${repoRoot}/dist/identity/names.js`),
  ]);
  return async function makeCsr(identity) {
    const keys = await generateKeyPair();
    const parsed = parseIdentityName(identity);
    const names = [{ type: 'dns', value: identity }];
    if (parsed) names.push({ type: 'url', value: spiffeId(parsed, parsed.trustDomain) });
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: [{ CN: [identity] }],
      keys,
      signingAlgorithm: EC_P256,
      extensions: [new x509.SubjectAlternativeNameExtension(names)],
    });
    return { der: new Uint8Array(csr.rawData), keyPem: KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) };
  };
}
