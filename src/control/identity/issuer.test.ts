import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyObject, X509Certificate } from 'node:crypto';
import { derToPem } from '../../identity/pem.js';
import { CertificateIssuer, IssuerConfigError } from './issuer.js';
import { makeCsr } from './identity.test-helper.js';
import { generateTrustRoots, renewIssuer, type TrustRoots } from './trust-roots.js';

const TD = 'cluster.local';
const ID = 'web.shop.serviceaccount.identity.loom.cluster.local';
const SPIFFE = 'spiffe://cluster.local/ns/shop/sa/web';
const roots = generateTrustRoots({ trustDomain: TD });
const other = generateTrustRoots({ trustDomain: TD });

function load(r: TrustRoots, override: Partial<{ anchorsPem: string; issuerCertPem: string; issuerKeyPem: string; now: Date }> = {}): Promise<CertificateIssuer> {
  return CertificateIssuer.load({ anchorsPem: r.anchorCertPem, issuerCertPem: r.issuerCertPem, issuerKeyPem: r.issuerKeyPem, trustDomain: TD, ...override });
}

async function refusal(p: Promise<unknown>): Promise<IssuerConfigError> {
  const err = await p.then(() => assert.fail('loaded'), (e: unknown) => e);
  assert.ok(err instanceof IssuerConfigError, String(err));
  return err;
}

test('an issuer from another anchor is refused, naming both', async () => {
  const err = await refusal(load(await roots, { anchorsPem: (await other).anchorCertPem }));
  assert.equal(err.input, 'issuer certificate');
  assert.match(err.message, /CN=identity\.loom\.cluster\.local .*is not signed by any trust anchor \(CN=root\.identity\.loom\.cluster\.local\); give the anchors that issued it/);
});

test('an expired or not-yet-valid issuer is refused', async () => {
  const r = await roots;
  const expired = await refusal(load(r, { now: new Date(Date.now() + 400 * 86_400_000) }));
  assert.match(expired.message, /expired at .*; issue a new one from the trust anchor/);
  const early = await refusal(load(r, { now: new Date(Date.now() - 86_400_000) }));
  assert.match(early.message, /not valid until/);
});

test('a key that is not the issuer certificate\'s is refused', async () => {
  const err = await refusal(load(await roots, { issuerKeyPem: (await other).issuerKeyPem }));
  assert.equal(err.input, 'issuer key');
  assert.match(err.message, /does not belong to the issuer certificate/);
  assert.match((await refusal(load(await roots, { issuerKeyPem: 'nope' }))).message, /not a PEM private key/);
});

test('a certificate that is not a CA is refused as issuer and as anchor', async () => {
  const r = await roots;
  const issuer = await load(r);
  const { der, keys } = await makeCsr({ dns: [ID] });
  const leaf = await issuer.issue({ csrDer: der, identity: ID, spiffe: SPIFFE, lifetimeMs: 3_600_000 });
  const leafKeyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  const asIssuer = await refusal(load(r, { issuerCertPem: derToPem(leaf.leafDer), issuerKeyPem: leafKeyPem }));
  assert.match(asIssuer.message, /CN=web\.shop\..* is not a CA certificate/);
  const asAnchor = await refusal(load(r, { anchorsPem: derToPem(leaf.leafDer) }));
  assert.equal(asAnchor.input, 'trust anchors');
  assert.match((await refusal(load(r, { anchorsPem: '' }))).message, /no PEM "CERTIFICATE" block/);
});

test('issue() signs a leaf with the identity\'s SANs and both EKUs, chained to the issuer', async () => {
  const r = await roots;
  const issuer = await load(r);
  const now = new Date();
  const { der } = await makeCsr({ dns: [ID], uris: [SPIFFE] });
  const issued = await issuer.issue({ csrDer: der, identity: ID, spiffe: SPIFFE, lifetimeMs: 24 * 3_600_000, now });
  const leaf = new X509Certificate(issued.leafDer);
  const issuerCert = new X509Certificate(r.issuerCertPem);
  assert.ok(leaf.verify(issuerCert.publicKey) && leaf.checkIssued(issuerCert));
  assert.equal(leaf.subject, `CN=${ID}`);
  assert.equal(leaf.subjectAltName, `DNS:${ID}, URI:${SPIFFE}`);
  assert.equal(leaf.ca, false);
  assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  assert.equal(Math.floor(issued.validUntil.getTime() / 1000), Math.floor((now.getTime() + 24 * 3_600_000) / 1000));
  assert.equal(new Date(leaf.validFrom).getTime(), Math.floor((now.getTime() - 10_000) / 1000) * 1000);
  assert.deepEqual(issued.chainDer.map((d) => Buffer.from(d).toString('base64')), [issuerCert.raw.toString('base64')]);
  assert.equal(issuer.issuerNotAfter.getTime(), new Date(issuerCert.validTo).getTime());
});

test('issue() never outlives the issuer', async () => {
  const issuer = await load(await roots);
  const now = new Date(issuer.issuerNotAfter.getTime() - 3_600_000);
  const { der } = await makeCsr({ dns: [ID] });
  const issued = await issuer.issue({ csrDer: der, identity: ID, spiffe: SPIFFE, lifetimeMs: 24 * 3_600_000, now });
  assert.equal(issued.validUntil.getTime(), issuer.issuerNotAfter.getTime());
});

test('an issuer file may carry intermediates after the issuer, in order', async () => {
  const r = await roots;
  // r's issuer acts as an intermediate that signs a second issuer.
  const second = await renewIssuer(r.issuerCertPem, r.issuerKeyPem, TD);
  const issuer = await load(r, { issuerCertPem: second.issuerCertPem + r.issuerCertPem, issuerKeyPem: second.issuerKeyPem });
  const issued = await issuer.issue({ csrDer: (await makeCsr({ dns: [ID] })).der, identity: ID, spiffe: SPIFFE, lifetimeMs: 60_000 });
  assert.equal(issued.chainDer.length, 2);
  const reversed = await refusal(load(r, { issuerCertPem: r.issuerCertPem + second.issuerCertPem, issuerKeyPem: r.issuerKeyPem }));
  assert.match(reversed.message, /is not signed by the next certificate in the file/);
});
