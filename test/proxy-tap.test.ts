// Tap between real proxies over real mTLS: the control plane's identity sees each request's three
// events as they happen, filtered and rate-limited; any other client is refused without disturbing
// the traffic the proxy carries.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ConnectError, Code } from '@connectrpc/connect';
import { request } from 'undici';
import type { TapEvent } from '../src/api/gen/loom/tap/v1/tap_pb.js';
import { ControllerCredentials, type ClientCredentials } from '../src/control/tap/controller-credentials.js';
import { tapProxy, type ObserveInit, type TapTarget } from '../src/control/tap/proxy-tap.js';
import { makeCsr } from '../src/control/identity/identity.test-helper.js';
import { derToPem } from '../src/identity/pem.js';
import { webcrypto } from 'node:crypto';
import { idOf, startIdentityService, type TestIdentityService } from './support/identity.js';
import { startProxy, type TestProxy } from './support/proxy.js';
import { httpUpstream, type Upstream } from './support/upstreams.js';

const WEB = { namespace: 'shop', serviceAccount: 'web' };
const WORLD = { namespace: 'shop', serviceAccount: 'world' };

/** Collects a tap's events until `until` holds or the time runs out, then closes the tap. */
async function collect(target: TapTarget, req: ObserveInit, credentials: ClientCredentials, traffic: () => Promise<void>, until: (events: TapEvent[]) => boolean, timeoutMs = 4000): Promise<TapEvent[]> {
  const events: TapEvent[] = [];
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), timeoutMs);
  const reading = (async () => {
    try {
      for await (const e of tapProxy(target, req, credentials, stop.signal)) {
        events.push(e);
        if (until(events)) stop.abort();
      }
    } catch (err) {
      if (!stop.signal.aborted) throw err;
    }
  })();
  reading.catch(() => undefined); // rejections are awaited below, after the traffic
  // The tap is open once the proxy has the call; give the stream a moment before sending traffic.
  await new Promise((r) => setTimeout(r, 200));
  await traffic();
  await reading;
  clearTimeout(timer);
  return events;
}

describe('tap', () => {
  let ids: TestIdentityService;
  let app: Upstream;
  let server: TestProxy;
  let client: TestProxy;
  let controller: ClientCredentials;
  let serverTap: TapTarget;
  let clientTap: TapTarget;

  before(async () => {
    ids = await startIdentityService();
    const credentials = new ControllerCredentials(ids.issuer);
    controller = await credentials.get();
    app = await httpUpstream('world', (req, res) => {
      res.statusCode = req.url?.startsWith('/fail') ? 500 : 200;
      res.end('hello');
    });
    const tapOn = { LOOM_PROXY_TAP_SVC_NAME: credentials.name };
    server = await startProxy({ LOOM_PROXY_APP_ADDR: app.addr, ...(await ids.proxyEnv(WORLD)), ...tapOn });
    client = await startProxy({
      ...(await ids.proxyEnv(WEB)),
      ...tapOn,
      LOOM_PROXY_DISCOVERY: `world.test:80 -> ${server.inbound} meshed identity=${idOf(WORLD)} namespace=shop deployment=world pod=world-0`,
    });
    serverTap = { namespace: 'shop', workload: 'world', pod: 'world-0', tap: server.tap, identity: idOf(WORLD) };
    clientTap = { namespace: 'shop', workload: 'web', pod: 'web-0', tap: client.tap, identity: idOf(WEB) };
  });
  after(async () => {
    await Promise.all([client.close(), server.close()]);
    await Promise.all([app.close(), ids.close()]);
  });

  const get = (path: string) => async () => {
    const res = await request(`http://${client.outbound}${path}`, { headers: { host: 'world.test' } });
    await res.body.text();
  };

  test('the control plane sees a request, its response and its end, with both verified identities', async () => {
    const events = await collect(serverTap, {}, controller, get('/fail/once'), (es) => es.some((e) => e.event.case === 'responseEnd'));
    assert.deepEqual(events.map((e) => e.event.case), ['requestInit', 'responseInit', 'responseEnd']);
    const [req, rsp, end] = events as [TapEvent, TapEvent, TapEvent];
    assert.ok(req.event.case === 'requestInit');
    assert.equal(req.event.value.path, '/fail/once');
    assert.equal(req.event.value.method, 'GET');
    assert.equal(req.tls, true);
    assert.equal(req.source?.identity, idOf(WEB));
    assert.equal(req.destination?.identity, idOf(WORLD));
    assert.ok(rsp.event.case === 'responseInit' && rsp.event.value.httpStatus === 500);
    assert.ok(end.event.case === 'responseEnd' && end.event.value.responseBytes === 5n);
    assert.ok(Math.abs(req.timestampMs - Date.now()) < 5000, 'events carry wall-clock time');
    assert.equal(new Set(events.map((e) => e.id)).size, 1, 'the three events share an id');
  });

  test('filters select by path prefix and method, and by destination labels on the sending side', async () => {
    const byPath = await collect(serverTap, { match: { pathPrefix: '/b' } }, controller, async () => {
      await get('/a')();
      await get('/b/1')();
    }, (es) => es.some((e) => e.event.case === 'responseEnd'));
    assert.deepEqual(byPath.flatMap((e) => (e.event.case === 'requestInit' ? [e.event.value.path] : [])), ['/b/1']);

    const byMethod = await collect(serverTap, { match: { method: 'post' } }, controller, get('/c'), () => false, 800);
    assert.equal(byMethod.length, 0, 'a GET does not match method POST');

    const toWorld = await collect(clientTap, { match: { destinationLabels: { deployment: 'world' } } }, controller, get('/d'), (es) => es.some((e) => e.event.case === 'responseEnd'));
    const head = toWorld[0];
    assert.ok(head?.event.case === 'requestInit');
    assert.equal(head.destination?.labels.pod, 'world-0');
    assert.equal(head.destination?.identity, idOf(WORLD));
    const toOther = await collect(clientTap, { match: { destinationLabels: { deployment: 'billing' } } }, controller, get('/e'), () => false, 800);
    assert.equal(toOther.length, 0);
  });

  test('max_rps caps how many requests a tap reports', async () => {
    const events = await collect(serverTap, { maxRps: 2 }, controller, async () => {
      for (let i = 0; i < 20; i++) await get(`/burst/${i}`)();
    }, () => false, 1500);
    const requests = events.filter((e) => e.event.case === 'requestInit').length;
    assert.ok(requests >= 2 && requests <= 4, `2 per second over about a second, not 20 (${requests})`);
  });

  test('a client with another mesh identity is refused with PERMISSION_DENIED naming who may tap', async () => {
    const keysAndCsr = await makeCsr({ dns: [idOf(WEB)], cn: idOf(WEB) });
    const issued = await ids.issuer.issue({ csrDer: keysAndCsr.der, identity: idOf(WEB), spiffe: 'spiffe://cluster.local/ns/shop/sa/web', lifetimeMs: 3_600_000 });
    const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keysAndCsr.keys.privateKey));
    const intruder: ClientCredentials = { keyPem: derToPem(pkcs8, 'PRIVATE KEY'), certPem: derToPem(issued.leafDer) + issued.chainDer.map((d) => derToPem(d)).join(''), anchorsPem: controller.anchorsPem };
    await assert.rejects(
      collect(serverTap, {}, intruder, get('/x'), () => false, 2000),
      (err: unknown) => err instanceof ConnectError && err.code === Code.PermissionDenied && /only loom-controller\.loom\.serviceaccount/.test(err.message) && err.message.includes(idOf(WEB)),
    );
  });

  test('the controller refuses a tap port that proves another identity than the platform says', async () => {
    await assert.rejects(collect({ ...serverTap, identity: idOf(WEB) }, {}, controller, get('/y'), () => false, 2000), /proved world\.shop\.serviceaccount/);
  });

  test('plaintext and garbage on the tap port are dropped; traffic through the proxy is untouched', async () => {
    const [host, port] = server.tap.split(':') as [string, string];
    for (const payload of ['GET / HTTP/1.1\r\nhost: x\r\n\r\n', Buffer.alloc(64, 0x16)]) {
      const closed = await new Promise<boolean>((resolve) => {
        const socket = net.connect(Number(port), host, () => socket.write(payload));
        socket.on('close', () => resolve(true));
        socket.on('error', () => undefined);
        setTimeout(() => resolve(false), 3000);
      });
      assert.ok(closed, 'the tap port closes the connection');
    }
    const res = await request(`http://${client.outbound}/still`, { headers: { host: 'world.test' } });
    assert.equal(res.statusCode, 200);
    await res.body.text();
  });

  test('a tap without identity is a configuration error, not a plaintext tap port', async () => {
    await assert.rejects(startProxy({ LOOM_PROXY_TAP_SVC_NAME: 'loom-controller.loom.serviceaccount.identity.loom.cluster.local' }), /LOOM_PROXY_TAP_SVC_NAME: needs LOOM_PROXY_IDENTITY_LOCAL_NAME/);
  });
});
