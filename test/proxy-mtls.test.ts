// Mutual TLS between proxies with identities from a real Identity API: verified identities in the
// metrics, encrypted bytes on the wire, and every way a peer can fail to prove who it is.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import { request } from 'undici';
import { loadProxyConfig } from '../src/proxy/env.js';
import { createLogger } from '../src/proxy/log.js';
import { Proxy } from '../src/proxy/proxy.js';
import { generateTrustRoots } from '../src/control/identity/trust-roots.js';
import { CertificateIssuer } from '../src/control/identity/issuer.js';
import { forgedClient, forgedServer, leafFrom } from './support/forged-peer.js';
import { TRUST_DOMAIN, idOf, startIdentityService, type TestIdentityService } from './support/identity.js';
import { sample, startProxy, type TestProxy } from './support/proxy.js';
import { eventually, httpUpstream, tcpUpstream, type Upstream } from './support/upstreams.js';

const WEB = { namespace: 'shop', serviceAccount: 'web' };
const WORLD = { namespace: 'shop', serviceAccount: 'world' };

/** A TCP relay that records every byte crossing it: what a capture on the proxy-to-proxy hop sees. */
async function recordingRelay(target: string): Promise<{ addr: string; bytes(): Buffer; close(): Promise<void> }> {
  const chunks: Buffer[] = [];
  const [host, port] = target.split(':') as [string, string];
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), host);
    client.on('data', (d: Buffer) => chunks.push(d));
    upstream.on('data', (d: Buffer) => chunks.push(d));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    addr: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    bytes: () => Buffer.concat(chunks),
    close: () => new Promise((resolve) => (server.close(() => resolve()), server.unref())),
  };
}

describe('mTLS between proxies', () => {
  let ids: TestIdentityService;
  let app: Upstream;
  let echo: Upstream;
  let server: TestProxy;
  let echoServer: TestProxy;
  let client: TestProxy;
  let relay: Awaited<ReturnType<typeof recordingRelay>>;

  before(async () => {
    ids = await startIdentityService();
    app = await httpUpstream('world');
    echo = await tcpUpstream((socket) => socket.pipe(socket));
    server = await startProxy({ LOOM_PROXY_APP_ADDR: app.addr, ...(await ids.proxyEnv(WORLD)) });
    echoServer = await startProxy({ LOOM_PROXY_APP_ADDR: echo.addr, ...(await ids.proxyEnv(WORLD)) });
    relay = await recordingRelay(server.inbound);
    client = await startProxy({
      ...(await ids.proxyEnv(WEB)),
      LOOM_PROXY_DISCOVERY: [
        `world.test:80 -> ${server.inbound} meshed identity=${idOf(WORLD)} pod=world-0`,
        `wire.test:80 -> ${relay.addr} meshed identity=${idOf(WORLD)}`,
        `impostor.test:80 -> ${server.inbound} meshed identity=${idOf({ namespace: 'shop', serviceAccount: 'billing' })}`,
        `echo.test:6379 -> ${echoServer.inbound} meshed identity=${idOf(WORLD)}`,
      ].join(';'),
      LOOM_PROXY_OUTBOUND_TCP_FORWARDS: '127.0.0.1:0=echo.test:6379',
    });
  });
  after(async () => {
    await Promise.all([client.close(), server.close(), echoServer.close()]);
    await Promise.all([app.close(), echo.close(), relay.close(), ids.close()]);
  });

  test('a request between meshed workloads carries verified identities into both proxies\' metrics', async () => {
    const res = await request(`http://${client.outbound}/hello`, { headers: { host: 'world.test' } });
    assert.equal(res.statusCode, 200);
    assert.equal(((await res.body.json()) as { name: string }).name, 'world');
    const inbound = await server.metrics();
    assert.equal(sample(inbound, 'request_total', { direction: 'inbound', tls: 'true', client_id: idOf(WEB) }), 1);
    const outbound = await client.metrics();
    assert.equal(sample(outbound, 'response_total', { direction: 'outbound', tls: 'true', server_id: idOf(WORLD), status_code: '200' }), 1);
    const expiry = sample(outbound, 'identity_cert_expiration_timestamp_seconds');
    assert.ok(expiry > Date.now() / 1000 + 3000, `the certificate expires in the future (${expiry})`);
  });

  test('the proxy-to-proxy bytes are TLS 1.3 records: no plaintext payload crosses the hop', async () => {
    const secret = 'PAYLOAD-NEVER-IN-CLEARTEXT';
    const res = await request(`http://${client.outbound}/${secret}`, { method: 'POST', headers: { host: 'wire.test', 'x-secret': secret }, body: secret.repeat(100) });
    assert.equal(res.statusCode, 200);
    const reply = await res.body.text();
    assert.ok(reply.includes(secret), 'the app saw the request');
    const wire = relay.bytes();
    assert.ok(wire.length > 3000, `bytes crossed the relay (${wire.length})`);
    assert.equal(wire[0], 0x16, 'the connection starts with a TLS handshake record');
    assert.equal(wire.indexOf(secret), -1, 'the payload never appears on the wire');
    assert.equal(wire.indexOf('PRI * HTTP/2.0'), -1, 'not even the HTTP/2 preface');
    assert.ok(wire.includes(Buffer.from([0x17, 0x03, 0x03])), 'application data records');
  });

  test('opaque TCP to a meshed endpoint rides mTLS too, half-close included', async () => {
    const forward = client.addrs.forwards[0]!;
    const socket = net.connect(forward.port, forward.host);
    let received = '';
    socket.on('data', (d) => (received += String(d)));
    const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
    socket.end('ping over mTLS');
    await ended;
    assert.equal(received, 'ping over mTLS');
    await eventually(async () => sample(await echoServer.metrics(), 'tcp_close_total', { direction: 'inbound', peer: 'dst', tls: 'true', client_id: idOf(WEB) }) === 1, 3000, 'the inbound TCP metrics with the client identity');
  });

  test('a peer presenting another identity than discovery names is refused and counted', async () => {
    const res = await request(`http://${client.outbound}/`, { headers: { host: 'impostor.test' } });
    assert.equal(res.statusCode, 502);
    assert.equal(res.headers['loom-proxy-error'], 'LOOM_ERR_TLS');
    assert.match(await res.body.text(), /presented identity "world\.shop\.serviceaccount\.identity\.loom\.cluster\.local", expected "billing\.shop/);
    const failures = sample(await client.metrics(), 'tls_handshake_failure_total', { direction: 'outbound', reason: 'identity_mismatch' });
    assert.ok(failures >= 1, `counted (${failures})`);
  });

  test('a server with a certificate from another CA, or an expired one, is refused by the client proxy', async () => {
    const otherRoots = await generateTrustRoots({ trustDomain: TRUST_DOMAIN });
    const otherIssuer = await CertificateIssuer.load({ anchorsPem: otherRoots.anchorCertPem, issuerCertPem: otherRoots.issuerCertPem, issuerKeyPem: otherRoots.issuerKeyPem, trustDomain: TRUST_DOMAIN });
    const foreign = await forgedServer(await leafFrom(otherIssuer, idOf(WORLD)));
    const expired = await forgedServer(await leafFrom(ids.issuer, idOf(WORLD), 60_000, new Date(Date.now() - 3_600_000)));
    const forgedClientProxy = await startProxy({
      ...(await ids.proxyEnv(WEB)),
      LOOM_PROXY_DISCOVERY: `foreign.test:80 -> ${foreign.addr} meshed identity=${idOf(WORLD)};expired.test:80 -> ${expired.addr} meshed identity=${idOf(WORLD)}`,
    });
    try {
      for (const [host, reason] of [['foreign.test', 'untrusted'], ['expired.test', 'expired']] as const) {
        const res = await request(`http://${forgedClientProxy.outbound}/`, { headers: { host } });
        assert.equal(res.statusCode, 502, host);
        assert.equal(res.headers['loom-proxy-error'], 'LOOM_ERR_TLS', host);
        await res.body.text();
        assert.ok(sample(await forgedClientProxy.metrics(), 'tls_handshake_failure_total', { direction: 'outbound', reason }) >= 1, `${host} counted as ${reason}`);
      }
    } finally {
      await forgedClientProxy.close();
      await Promise.all([foreign.close(), expired.close()]);
    }
  });

  test('clients with another CA\'s, an expired or no certificate are refused at the inbound; others are unaffected', async () => {
    const otherRoots = await generateTrustRoots({ trustDomain: TRUST_DOMAIN });
    const otherIssuer = await CertificateIssuer.load({ anchorsPem: otherRoots.anchorCertPem, issuerCertPem: otherRoots.issuerCertPem, issuerKeyPem: otherRoots.issuerKeyPem, trustDomain: TRUST_DOMAIN });
    const before = sample(await server.metrics(), 'tls_handshake_failure_total', { direction: 'inbound' });
    const ca = ids.roots.anchorCertPem;
    const attempts = [
      await forgedClient(server.inbound, idOf(WORLD), await leafFrom(otherIssuer, idOf(WEB)), ca),
      await forgedClient(server.inbound, idOf(WORLD), await leafFrom(ids.issuer, idOf(WEB), 60_000, new Date(Date.now() - 3_600_000)), ca),
      await forgedClient(server.inbound, idOf(WORLD), null, ca),
    ];
    attempts.forEach((attempt, i) => assert.equal(attempt.answered, false, `attempt ${i} refused: ${JSON.stringify(attempt)}`));
    const legit = await forgedClient(server.inbound, idOf(WORLD), await leafFrom(ids.issuer, idOf(WEB)), ca);
    assert.equal(legit.answered, true, 'the same client with a certificate from the mesh CA is answered');
    await eventually(async () => sample(await server.metrics(), 'tls_handshake_failure_total', { direction: 'inbound' }) - before === 3, 3000, 'three inbound failures counted');
    const res = await request(`http://${client.outbound}/still-fine`, { headers: { host: 'world.test' } });
    assert.equal(res.statusCode, 200);
    await res.body.text();
  });
});

describe('identity required', () => {
  test('a plaintext client to a port that requires identity is refused; a meshed one is served', async () => {
    const ids = await startIdentityService();
    const app = await httpUpstream('vault');
    const server = await startProxy({ LOOM_PROXY_APP_ADDR: app.addr, LOOM_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY: String(app.port), ...(await ids.proxyEnv(WORLD)) });
    const client = await startProxy({ ...(await ids.proxyEnv(WEB)), LOOM_PROXY_DISCOVERY: `vault.test:80 -> ${server.inbound} meshed identity=${idOf(WORLD)}` });
    try {
      const plain = await request(`http://${server.inbound}/secret`, { headers: { host: 'vault.test' } });
      assert.equal(plain.statusCode, 403);
      assert.equal(plain.headers['loom-proxy-error'], 'LOOM_ERR_IDENTITY_REQUIRED');
      assert.match(await plain.body.text(), /accepts only mutually authenticated \(mTLS\) clients from the mesh/);
      const meshed = await request(`http://${client.outbound}/secret`, { headers: { host: 'vault.test' } });
      assert.equal(meshed.statusCode, 200);
      await meshed.body.text();
    } finally {
      await Promise.all([client.close(), server.close()]);
      await Promise.all([app.close(), ids.close()]);
    }
  });
});

describe('certificates', () => {
  test('a proxy whose token proves another service account gets no certificate and never becomes ready', async () => {
    const ids = await startIdentityService();
    const config = loadProxyConfig({
      LOOM_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
      LOOM_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
      LOOM_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
      LOOM_PROXY_LOG_LEVEL: 'silent',
      ...(await ids.proxyEnv(WEB, { tokenFor: { namespace: 'shop', serviceAccount: 'billing' } })),
    });
    const proxy = await Proxy.create(config, createLogger({ level: 'silent' }));
    const started = proxy.start().then(
      () => 'ready',
      (err: Error) => err.message,
    );
    try {
      const outcome = await Promise.race([started, new Promise((r) => setTimeout(() => r('waiting'), 1500))]);
      assert.equal(outcome, 'waiting', 'start() waits for a certificate that never comes');
      assert.equal(proxy.identity?.credentials, null);
    } finally {
      await proxy.shutdown();
      await ids.close();
    }
    assert.match(await started, /stopped before the Identity API issued a certificate/);
  });

  test('certificates rotate under steady load without failing a request', async () => {
    // 3 s certificates: each proxy renews about every second while requests keep flowing.
    const ids = await startIdentityService({ lifetimeMs: 3000 });
    const app = await httpUpstream('world');
    const server = await startProxy({ LOOM_PROXY_APP_ADDR: app.addr, ...(await ids.proxyEnv(WORLD)) });
    const client = await startProxy({ ...(await ids.proxyEnv(WEB)), LOOM_PROXY_DISCOVERY: `world.test:80 -> ${server.inbound} meshed identity=${idOf(WORLD)}` });
    try {
      const firstSerial = await certificateSerial(server);
      const statuses = new Map<number, number>();
      const deadline = Date.now() + 4500;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (Date.now() < deadline) {
            const res = await request(`http://${client.outbound}/`, { headers: { host: 'world.test' } });
            await res.body.text();
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          }
        }),
      );
      assert.deepEqual([...statuses.keys()], [200], `only 200s: ${JSON.stringify([...statuses])}`);
      assert.ok((statuses.get(200) ?? 0) > 200, `steady load (${statuses.get(200)} requests)`);
      for (const proxy of [client, server]) {
        const refreshes = sample(await proxy.metrics(), 'identity_cert_refresh_count');
        assert.ok(refreshes >= 2, `renewed at least twice (${refreshes})`);
      }
      assert.notEqual(await certificateSerial(server), firstSerial, 'the server presents a new certificate');
      // A connection opened after the renewals handshakes with the new certificates.
      const fresh = await startProxy({ ...(await ids.proxyEnv(WEB)), LOOM_PROXY_DISCOVERY: `world.test:80 -> ${server.inbound} meshed identity=${idOf(WORLD)}` });
      const res = await request(`http://${fresh.outbound}/`, { headers: { host: 'world.test' } });
      assert.equal(res.statusCode, 200);
      await res.body.text();
      await fresh.close();
    } finally {
      await Promise.all([client.close(), server.close()]);
      await Promise.all([app.close(), ids.close()]);
    }
  });
});

async function certificateSerial(proxy: TestProxy): Promise<string> {
  const pem = await (await fetch(`http://${proxy.admin}/identity`)).text();
  return new X509Certificate(pem).serialNumber;
}
