import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsrRejectedError, checkCsr } from './csr-check.js';
import { makeCsr, p384Keys, rsaKeys } from './identity.test-helper.js';

const ID = 'web.shop.serviceaccount.identity.loom.cluster.local';
const SPIFFE = 'spiffe://cluster.local/ns/shop/sa/web';

async function refusal(spec: Parameters<typeof makeCsr>[0] | Uint8Array): Promise<string> {
  const der = spec instanceof Uint8Array ? spec : (await makeCsr(spec)).der;
  const err = await checkCsr(der, ID, SPIFFE).then(
    () => assert.fail('the CSR was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof CsrRejectedError, String(err));
  return err.message;
}

test('a CSR for the identity (DNS, SPIFFE URI, CN) is accepted and its key returned', async () => {
  const { der, keys } = await makeCsr({ dns: [ID], uris: [SPIFFE], cn: ID });
  const key = await checkCsr(der, ID, SPIFFE);
  const { webcrypto } = await import('node:crypto');
  assert.deepEqual(new Uint8Array(key.rawData), new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey)));
  await checkCsr((await makeCsr({ dns: [ID] })).der, ID, SPIFFE);
});

test('a CSR for another name, or with extra names, is refused and the names are said', async () => {
  assert.match(await refusal({ dns: ['api.shop.serviceaccount.identity.loom.cluster.local'] }), /asks for DNS names "api\.shop\..*", not "web\.shop\./);
  assert.match(await refusal({ dns: [ID, 'evil.example.com'] }), /other DNS names besides .*"evil\.example\.com"/);
  assert.match(await refusal({ dns: [ID], uris: ['spiffe://cluster.local/ns/shop/sa/admin'] }), /URI names "spiffe:\/\/cluster\.local\/ns\/shop\/sa\/admin"; only "spiffe:\/\/cluster\.local\/ns\/shop\/sa\/web"/);
  assert.match(await refusal({ dns: [ID], ips: ['10.0.0.1'] }), /ip name "10\.0\.0\.1"/);
  assert.match(await refusal({ dns: [ID], cn: 'admin' }), /common name "admin"/);
  assert.match(await refusal({ cn: ID }), /one subjectAltName extension naming web\.shop/);
});

test('a CSR whose signature does not verify is refused', async () => {
  const der = (await makeCsr({ dns: [ID] })).der;
  // The last byte is the end of the ECDSA signature's s value: still DER, no longer a valid signature.
  der[der.length - 1] = (der[der.length - 1] as number) ^ 0x01;
  assert.match(await refusal(der), /signature does not verify/);
});

test('a CSR with an RSA or P-384 key is refused, naming the key', async () => {
  assert.match(await refusal({ dns: [ID], keys: await rsaKeys(), signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' } }), /key is rsa 2048 bits; .*P-256/);
  assert.match(await refusal({ dns: [ID], keys: await p384Keys(), signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams }), /key is ec secp384r1/);
});

test('bytes that are not a PKCS#10 request are refused', async () => {
  assert.match(await refusal(new Uint8Array([1, 2, 3])), /not a DER-encoded PKCS#10 request/);
  assert.match(await refusal(new Uint8Array()), /not a DER-encoded PKCS#10 request/);
});
