import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { x509 } from '../../identity/x509.js';
import { generateTrustRoots, renewIssuer } from './trust-roots.js';

test('the generated anchor is a self-signed CA and signs the issuer, both accepted by node:crypto', async () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const roots = await generateTrustRoots({ trustDomain: 'example.org', now });
  const anchor = new X509Certificate(roots.anchorCertPem);
  const issuer = new X509Certificate(roots.issuerCertPem);
  assert.ok(anchor.verify(anchor.publicKey), 'anchor is self-signed');
  assert.ok(issuer.verify(anchor.publicKey), 'issuer is signed by the anchor');
  assert.ok(issuer.checkIssued(anchor));
  assert.equal(anchor.subject, 'CN=root.identity.loom.example.org');
  assert.equal(issuer.subject, 'CN=identity.loom.example.org');
  assert.ok(anchor.ca && issuer.ca);
  assert.equal(new Date(anchor.validTo).getUTCFullYear(), 2040);
  assert.equal(new Date(issuer.validTo).getUTCFullYear(), 2031);
  assert.equal(new Date(issuer.validFrom).getTime(), now.getTime() - 60_000);
  assert.equal(BigInt(`0x${anchor.serialNumber}`) > 0n && anchor.serialNumber !== issuer.serialNumber, true);
  // The keys are PKCS#8 and belong to their certificates.
  assert.match(roots.issuerKeyPem, /^-----BEGIN PRIVATE KEY-----/);
  const spki = (pem: string): string => createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' }).toString('hex');
  assert.equal(spki(roots.anchorKeyPem), anchor.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'));
  assert.equal(spki(roots.issuerKeyPem), issuer.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'));
  for (const [pem, pathLength] of [[roots.anchorCertPem, 1], [roots.issuerCertPem, 0]] as const) {
    const cert = new x509.X509Certificate(pem);
    const bc = cert.getExtension(x509.BasicConstraintsExtension);
    const ku = cert.getExtension(x509.KeyUsagesExtension);
    assert.deepEqual([bc?.ca, bc?.pathLength, bc?.critical], [true, pathLength, true]);
    assert.deepEqual([ku?.usages, ku?.critical], [x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true]);
    assert.ok(cert.getExtension(x509.SubjectKeyIdentifierExtension));
  }
  const aki = new x509.X509Certificate(roots.issuerCertPem).getExtension(x509.AuthorityKeyIdentifierExtension);
  assert.equal(aki?.keyId, new x509.X509Certificate(roots.anchorCertPem).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
});

test('renewIssuer signs a new issuer with a new key from the stored anchor', async () => {
  const roots = await generateTrustRoots({ trustDomain: 'cluster.local' });
  const renewed = await renewIssuer(roots.anchorCertPem, roots.anchorKeyPem, 'cluster.local');
  const anchor = new X509Certificate(roots.anchorCertPem);
  const issuer = new X509Certificate(renewed.issuerCertPem);
  assert.ok(issuer.verify(anchor.publicKey));
  assert.notEqual(renewed.issuerKeyPem, roots.issuerKeyPem);
  assert.equal(issuer.subject, 'CN=identity.loom.cluster.local');
});
