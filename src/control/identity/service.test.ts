// The Identity API end to end: a real h2c GrpcApiServer, a connect-node gRPC client.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Registry } from 'prom-client';
import { Identity } from '../../api/gen/loom/identity/v1/identity_pb.js';
import { GrpcApiServer } from '../destination/server.js';
import { EndpointIndex } from '../index/endpoint-index.js';
import { makeCsr } from './identity.test-helper.js';
import { CertificateIssuer } from './issuer.js';
import { LocalTokenReviewer, LocalTokenSigner, generateTokenKeyPair } from './local-token.js';
import { IdentityMetrics } from './metrics.js';
import { identityService } from './service.js';
import { generateTrustRoots, type TrustRoots } from './trust-roots.js';

const TD = 'cluster.local';
const WEB = { namespace: 'shop', serviceAccount: 'web' };
const WEB_ID = 'web.shop.serviceaccount.identity.loom.cluster.local';
const tokenKeys = generateTokenKeyPair();
const signer = new LocalTokenSigner(tokenKeys.privateKeyPem, TD);
const registry = new Registry();
let roots: TrustRoots;
let server: GrpcApiServer;
let client: Client<typeof Identity>;

before(async () => {
  roots = await generateTrustRoots({ trustDomain: TD });
  const issuer = await CertificateIssuer.load({ anchorsPem: roots.anchorCertPem, issuerCertPem: roots.issuerCertPem, issuerKeyPem: roots.issuerKeyPem, trustDomain: TD });
  const service = identityService({ issuer, reviewer: new LocalTokenReviewer(tokenKeys.publicKeyPem, TD), trustDomain: TD, lifetimeMs: 3_600_000, metrics: new IdentityMetrics(registry) });
  server = new GrpcApiServer(new EndpointIndex(), undefined, undefined, service);
  const { port } = await server.listen('127.0.0.1', 0);
  client = createClient(Identity, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
});

after(() => server.close());

async function certify(identity: string, token: string, csrDns: string[] = [identity]) {
  const { der } = await makeCsr({ dns: csrDns });
  return client.certify({ identity, token: new TextEncoder().encode(token), certificateSigningRequest: der });
}

async function refused(call: Promise<unknown>, code: Code): Promise<string> {
  const err = await call.then(() => assert.fail('issued'), (e: unknown) => e);
  assert.ok(err instanceof ConnectError, String(err));
  assert.equal(Code[err.code], Code[code], err.message);
  return err.rawMessage;
}

test('a proxy with a valid token and CSR gets a leaf that verifies against the issuer, and the chain', async () => {
  const res = await certify(WEB_ID, await signer.sign(WEB, 60_000));
  const issuer = new X509Certificate(roots.issuerCertPem);
  const leaf = new X509Certificate(res.leafCertificate);
  assert.ok(leaf.verify(issuer.publicKey));
  assert.equal(leaf.subjectAltName, `DNS:${WEB_ID}, URI:spiffe://cluster.local/ns/shop/sa/web`);
  assert.deepEqual(res.intermediateCertificates.map((c) => Buffer.from(c).toString('base64')), [issuer.raw.toString('base64')]);
  assert.equal(res.validUntilUnixMs, BigInt(new Date(leaf.validTo).getTime()));
  assert.ok(Math.abs(Number(res.validUntilUnixMs) - (Date.now() + 3_600_000)) < 5_000);
});

test('a token of another service account is denied, saying what it proves', async () => {
  const token = await signer.sign({ namespace: 'shop', serviceAccount: 'api' }, 60_000);
  const message = await refused(certify(WEB_ID, token), Code.PermissionDenied);
  assert.equal(message, `token proves api.shop.serviceaccount.identity.loom.cluster.local, not ${WEB_ID}`);
});

test('a forged token is unauthenticated', async () => {
  const forged = await new LocalTokenSigner(generateTokenKeyPair().privateKeyPem, TD).sign(WEB, 60_000);
  assert.match(await refused(certify(WEB_ID, forged), Code.Unauthenticated), /token rejected: .*signature does not verify/);
});

test('a CSR for another name is an invalid argument', async () => {
  const message = await refused(certify(WEB_ID, await signer.sign(WEB, 60_000), ['admin.shop.serviceaccount.identity.loom.cluster.local']), Code.InvalidArgument);
  assert.match(message, /asks for DNS names "admin\.shop\./);
});

test('every outcome is counted and timed', async () => {
  const text = await registry.metrics();
  const count = (result: string): number => Number(new RegExp(`^identity_certify_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
  assert.deepEqual(['issued', 'unauthenticated', 'permission_denied', 'invalid_csr', 'error'].map(count), [1, 1, 1, 1, 0]);
  assert.match(text, /^identity_certify_duration_seconds_count 4$/m);
});
