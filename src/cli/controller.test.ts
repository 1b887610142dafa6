// `loom controller`'s identity flags, run in-process with captured output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { generateTokenKeyPair } from '../control/identity/local-token.js';
import { generateTrustRoots } from '../control/identity/trust-roots.js';
import { runController, type ControllerIdentityOptions } from './controller.js';
import type { CliIO } from './io.js';
import { program } from './program.js';

function io(): CliIO & { stdout: string; stderr: string } {
  const captured = { stdout: '', stderr: '' };
  return Object.assign(captured, { out: (t: string) => void (captured.stdout += t), err: (t: string) => void (captured.stderr += t), env: {} });
}

async function identityFiles(): Promise<Required<ControllerIdentityOptions>> {
  const dir = mkdtempSync(join(tmpdir(), 'loom-controller-'));
  const roots = await generateTrustRoots({ trustDomain: 'cluster.local' });
  const file = (name: string, text: string): string => (writeFileSync(join(dir, name), text), join(dir, name));
  return {
    trustDomain: 'cluster.local',
    anchorsFile: file('ca.crt', roots.anchorCertPem),
    issuerCertFile: file('issuer.crt', roots.issuerCertPem),
    issuerKeyFile: file('issuer.key', roots.issuerKeyPem),
    tokenKeyFile: file('token.pub', generateTokenKeyPair().publicKeyPem),
    lifetimeMs: 3_600_000,
  };
}

const base = { stateDir: '', port: 0, adminPort: 0 };

test('loom controller serves identity with every identity file, and stops on SIGTERM', async () => {
  const signals = new EventEmitter();
  const out = io();
  const running = runController({ ...base, stateDir: mkdtempSync(join(tmpdir(), 'loom-state-')), identity: await identityFiles() }, out, signals as unknown as NodeJS.Process);
  while (out.stdout === '' && out.stderr === '') await new Promise((r) => setTimeout(r, 10));
  assert.match(out.stdout, /Destination and Identity APIs \(trust domain cluster\.local, issuer valid until \d{4}-/);
  signals.emit('SIGTERM');
  assert.equal(await running, 0);
});

test('some identity files but not all is a usage error listing the missing flags', async () => {
  const { trustDomain, anchorsFile, lifetimeMs } = await identityFiles();
  const out = io();
  assert.equal(await runController({ ...base, identity: { trustDomain, anchorsFile, lifetimeMs } }, out, null), 2);
  assert.match(out.stderr, /missing: --identity-issuer-certificate-file, --identity-issuer-key-file, --identity-token-key-file\n$/);
});

test('an unreadable or invalid identity file is named with its problem', async () => {
  const files = await identityFiles();
  const missing = io();
  assert.equal(await runController({ ...base, identity: { ...files, issuerKeyFile: '/nonexistent/issuer.key' } }, missing, null), 1);
  assert.match(missing.stderr, /\/nonexistent\/issuer\.key \(issuer key\): cannot be read \(ENOENT\)/);
  const wrong = io();
  const junk = join(mkdtempSync(join(tmpdir(), 'loom-controller-')), 'token.pub');
  writeFileSync(junk, 'not a key\n');
  assert.equal(await runController({ ...base, identity: { ...files, tokenKeyFile: junk } }, wrong, null), 1);
  assert.match(wrong.stderr, /token\.pub \(token verification key\): not a PEM public key/);
});

test('a bad --identity-issuance-lifetime is a usage error naming the flag', async () => {
  let stderr = '';
  const cli = program();
  cli.commands.find((c) => c.name() === 'controller')?.configureOutput({ writeErr: (t) => void (stderr += t), writeOut: () => undefined });
  await assert.rejects(cli.parseAsync(['controller', '--identity-issuance-lifetime', '24x'], { from: 'user' }), CommanderError);
  assert.match(stderr, /option '--identity-issuance-lifetime <duration>' argument '24x' is invalid\. "24x" is not a duration; write e\.g\. 24h, 90m or 30s/);
});
