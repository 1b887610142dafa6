import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadProxyConfig } from './env.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const IDENTITY = {
  LOOM_PROXY_IDENTITY_LOCAL_NAME: 'web.shop.serviceaccount.identity.loom.cluster.local',
  LOOM_PROXY_IDENTITY_TRUST_ANCHORS: PEM,
  LOOM_PROXY_IDENTITY_TOKEN_FILE: '/run/token',
  LOOM_PROXY_IDENTITY_SVC_ADDR: '127.0.0.1:8086',
};

test('identity is off by default and on with all four settings', () => {
  const off = loadProxyConfig({});
  assert.equal(off.identityLocalName, undefined);
  assert.equal(off.inboundPortsRequireIdentity.size, 0);
  const on = loadProxyConfig({ ...IDENTITY, LOOM_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY: '8080,9000-9001' });
  assert.equal(on.identityLocalName, IDENTITY.LOOM_PROXY_IDENTITY_LOCAL_NAME);
  assert.deepEqual(on.identitySvcAddr, { host: '127.0.0.1', port: 8086 });
  assert.deepEqual([...on.inboundPortsRequireIdentity], [8080, 9000, 9001]);
});

test('a local name without the other identity settings names the missing one', () => {
  for (const missing of ['LOOM_PROXY_IDENTITY_TRUST_ANCHORS', 'LOOM_PROXY_IDENTITY_TOKEN_FILE', 'LOOM_PROXY_IDENTITY_SVC_ADDR'] as const) {
    const env: Record<string, string> = { ...IDENTITY };
    delete env[missing];
    assert.throws(() => loadProxyConfig(env), (err: unknown) => err instanceof ConfigError && err.variable === missing && /must be set when LOOM_PROXY_IDENTITY_LOCAL_NAME is/.test(err.message));
  }
});

test('trust anchors that hold no PEM certificate are refused with what to write', () => {
  assert.throws(
    () => loadProxyConfig({ ...IDENTITY, LOOM_PROXY_IDENTITY_TRUST_ANCHORS: '/etc/loom/ca.crt' }),
    /LOOM_PROXY_IDENTITY_TRUST_ANCHORS: holds no PEM certificate; set it to the trust anchors' PEM text/,
  );
  assert.throws(() => loadProxyConfig({ ...IDENTITY, LOOM_PROXY_IDENTITY_SVC_ADDR: 'controller' }), /LOOM_PROXY_IDENTITY_SVC_ADDR: "controller" is not an address/);
});
