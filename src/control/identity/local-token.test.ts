import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { LocalTokenReviewer, LocalTokenSigner, generateTokenKeyPair } from './local-token.js';
import { TokenRejectedError } from './token.js';

const SA = { namespace: 'shop', serviceAccount: 'web' };
const keys = generateTokenKeyPair();
const signer = new LocalTokenSigner(keys.privateKeyPem, 'cluster.local');
const reviewer = new LocalTokenReviewer(keys.publicKeyPem, 'cluster.local');
const bytes = (token: string): Uint8Array => new TextEncoder().encode(token);

async function rejection(token: string): Promise<string> {
  const err = await reviewer.review(bytes(token)).then(() => assert.fail('accepted'), (e: unknown) => e);
  assert.ok(err instanceof TokenRejectedError, String(err));
  return err.message;
}

test('a signed token proves its service account', async () => {
  const token = await signer.sign(SA, 60_000);
  assert.deepEqual(await reviewer.review(bytes(token)), SA);
  const [, payload] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString()) as Record<string, unknown>;
  assert.equal(claims.iss, 'loom-local');
  assert.equal(claims.aud, 'identity.loom.cluster.local');
  assert.equal(claims.sub, 'system:serviceaccount:shop:web');
  assert.equal((claims.exp as number) - (claims.iat as number), 60);
  assert.equal(signer.publicKeyPem, keys.publicKeyPem);
});

test('a token signed by another key is refused', async () => {
  const forger = new LocalTokenSigner(generateTokenKeyPair().privateKeyPem, 'cluster.local');
  assert.match(await rejection(await forger.sign(SA, 60_000)), /signature does not verify/);
});

test('an expired token is refused', async () => {
  assert.match(await rejection(await signer.sign(SA, 60_000, new Date(Date.now() - 120_000))), /expired/);
});

test('a token for another trust domain or issuer is refused', async () => {
  const elsewhere = new LocalTokenSigner(keys.privateKeyPem, 'example.org');
  assert.match(await rejection(await elsewhere.sign(SA, 60_000)), /audience is not "identity\.loom\.cluster\.local"/);
  const key = createPrivateKey(keys.privateKeyPem);
  const base = (): SignJWT => new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuedAt().setExpirationTime('1m').setAudience('identity.loom.cluster.local');
  assert.match(await rejection(await base().setIssuer('kubernetes').setSubject('system:serviceaccount:shop:web').sign(key)), /issuer is not "loom-local"/);
  assert.match(await rejection(await base().setIssuer('loom-local').setSubject('shop/web').sign(key)), /subject "shop\/web" is not system:serviceaccount/);
  assert.match(await rejection(await base().setIssuer('loom-local').sign(key)), /"sub" claim/);
});

test('bytes that are not a JWT are refused', async () => {
  assert.match(await rejection('hello'), /not a valid JWT/);
});

test('keys that are not P-256 are refused when the signer or reviewer is built', () => {
  assert.throws(() => new LocalTokenReviewer('nope', 'cluster.local'), /not a PEM public key/);
  assert.throws(() => new LocalTokenSigner(keys.publicKeyPem, 'cluster.local'), /not a PEM private key/);
});
