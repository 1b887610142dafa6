import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { CertificateIssuer } from '../../control/identity/issuer.js';
import { generateTrustRoots, type TrustRoots } from '../../control/identity/trust-roots.js';
import { derToPem } from '../../identity/pem.js';
import { createCsr } from './csr.js';
import { verifyIssued } from './verify-issued.js';

const NAME = 'web.shop.serviceaccount.identity.loom.cluster.local';

async function issue(roots: TrustRoots, name = NAME): Promise<{ leaf: string; chain: string }> {
  const issuer = await CertificateIssuer.load({ anchorsPem: roots.anchorCertPem, issuerCertPem: roots.issuerCertPem, issuerKeyPem: roots.issuerKeyPem, trustDomain: 'cluster.local' });
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const issued = await issuer.issue({ csrDer: createCsr(keys.privateKey, keys.publicKey, name), identity: name, spiffe: `spiffe://cluster.local/ns/${name.split('.')[1]}/sa/${name.split('.')[0]}`, lifetimeMs: 60_000 });
  return { leaf: derToPem(issued.leafDer), chain: issued.chainDer.map((d) => derToPem(d)).join('') };
}

test("the proxy's own CSR (hand-encoded DER) passes the issuer's checks and the result verifies against the anchors", async () => {
  const roots = await generateTrustRoots({ trustDomain: 'cluster.local' });
  const { leaf, chain } = await issue(roots);
  const verified = verifyIssued(leaf, chain, [new X509Certificate(roots.anchorCertPem)], NAME);
  assert.match(verified.subjectAltName ?? '', /DNS:web\.shop\.serviceaccount\.identity\.loom\.cluster\.local, URI:spiffe:\/\/cluster\.local\/ns\/shop\/sa\/web/);
});

test('a certificate for another name, or from other anchors, is not installed', async () => {
  const roots = await generateTrustRoots({ trustDomain: 'cluster.local' });
  const other = await generateTrustRoots({ trustDomain: 'cluster.local' });
  const anchors = [new X509Certificate(roots.anchorCertPem)];
  const { leaf, chain } = await issue(roots);
  assert.throws(() => verifyIssued(leaf, chain, anchors, 'api.shop.serviceaccount.identity.loom.cluster.local'), /names web\.shop\.serviceaccount\.identity\.loom\.cluster\.local, not api\.shop/);
  const foreign = await issue(other);
  assert.throws(() => verifyIssued(foreign.leaf, foreign.chain, anchors, NAME), /does not chain to this proxy's trust anchors/);
});
