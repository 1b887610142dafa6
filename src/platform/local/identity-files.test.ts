import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTokenReviewer } from '../../control/identity/local-token.js';
import { generateTrustRoots } from '../../control/identity/trust-roots.js';
import { ensureLocalIdentity, writeReplicaToken } from './identity-files.js';

const TD = 'cluster.local';
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);
const read = (path: string): string => readFileSync(path, 'utf8');

function stateDir(): string {
  return mkdtempSync(join(tmpdir(), 'loom-identity-'));
}

test('generated material is private, chains, and is reused by the next loom up', async () => {
  const dir = stateDir();
  const first = await ensureLocalIdentity({ stateDir: dir, trustDomain: TD });
  const id = join(dir, 'identity');
  assert.equal(first.dir, id);
  assert.equal(mode(id), '700');
  for (const f of ['ca.key', 'issuer.key', 'token-signing.key']) assert.equal(mode(join(id, f)), '600', f);
  assert.equal(first.anchorsFile, join(id, 'ca.crt'));
  assert.equal(first.tokenKeyFile, join(id, 'token-signing.pub'));
  assert.equal(first.anchorsPem, read(join(id, 'ca.crt')));
  assert.ok(new X509Certificate(read(first.issuerCertFile)).verify(new X509Certificate(first.anchorsPem).publicKey));
  const before = ['ca.crt', 'ca.key', 'issuer.crt', 'issuer.key', 'token-signing.key', 'token-signing.pub'].map((f) => read(join(id, f)));
  await ensureLocalIdentity({ stateDir: dir, trustDomain: TD });
  assert.deepEqual(['ca.crt', 'ca.key', 'issuer.crt', 'issuer.key', 'token-signing.key', 'token-signing.pub'].map((f) => read(join(id, f))), before);
});

test('a generated issuer within 60 days of expiry is reissued from the stored anchor', async () => {
  const dir = stateDir();
  const first = await ensureLocalIdentity({ stateDir: dir, trustDomain: TD });
  const [anchor, issuer] = [read(first.anchorsFile), read(first.issuerCertFile)];
  const later = new Date(new X509Certificate(issuer).validTo).getTime() - 30 * 86_400_000;
  const second = await ensureLocalIdentity({ stateDir: dir, trustDomain: TD, now: new Date(later) });
  assert.equal(read(second.anchorsFile), anchor);
  assert.notEqual(read(second.issuerCertFile), issuer);
  assert.equal(mode(second.issuerKeyFile), '600');
});

test('replica tokens are private files the controller\'s reviewer accepts', async () => {
  const identity = await ensureLocalIdentity({ stateDir: stateDir(), trustDomain: TD });
  const path = await writeReplicaToken(identity, { namespace: 'shop', serviceAccount: 'web' }, 'web-0');
  assert.equal(path, join(identity.dir, 'tokens', 'shop', 'web-0.jwt'));
  assert.equal(mode(path), '600');
  const reviewer = new LocalTokenReviewer(read(identity.tokenKeyFile), TD);
  assert.deepEqual(await reviewer.review(readFileSync(path)), { namespace: 'shop', serviceAccount: 'web' });
});

test('user files: all three flags or none, and they must belong together', async () => {
  const dir = stateDir();
  const a = await generateTrustRoots({ trustDomain: TD });
  const b = await generateTrustRoots({ trustDomain: TD });
  const file = (name: string, text: string): string => (writeFileSync(join(dir, name), text), join(dir, name));
  const anchorsFile = file('a.crt', a.anchorCertPem);
  const issuerCertFile = file('b-issuer.crt', b.issuerCertPem);
  const issuerKeyFile = file('b-issuer.key', b.issuerKeyPem);
  await assert.rejects(ensureLocalIdentity({ stateDir: dir, trustDomain: TD, supplied: { anchorsFile } }), {
    message: /go together; missing: --identity-issuer-certificate-file, --identity-issuer-key-file$/,
  });
  await assert.rejects(ensureLocalIdentity({ stateDir: dir, trustDomain: TD, supplied: { anchorsFile, issuerCertFile, issuerKeyFile } }), {
    message: new RegExp(`^${issuerCertFile} \\(issuer certificate\\): .* is not signed by any trust anchor`),
  });
  await assert.rejects(ensureLocalIdentity({ stateDir: dir, trustDomain: TD, supplied: { anchorsFile: join(dir, 'missing.crt'), issuerCertFile, issuerKeyFile } }), {
    message: /missing\.crt \(trust anchors\): cannot be read \(ENOENT\)/,
  });
  const good = { anchorsFile: file('b.crt', b.anchorCertPem), issuerCertFile, issuerKeyFile };
  const identity = await ensureLocalIdentity({ stateDir: dir, trustDomain: TD, supplied: good });
  assert.deepEqual([identity.anchorsFile, identity.issuerCertFile, identity.issuerKeyFile], [good.anchorsFile, issuerCertFile, issuerKeyFile]);
  assert.equal(identity.anchorsPem, b.anchorCertPem);
});
