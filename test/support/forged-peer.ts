// Peers that misbehave at the TLS layer, for attack tests: a TLS server or client presenting a
// certificate the mesh must refuse (another CA's, an expired one, another identity's).
import { KeyObject } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { CertificateIssuer } from '../../src/control/identity/issuer.js';
import { parseIdentityName, spiffeId } from '../../src/identity/names.js';
import { derToPem } from '../../src/identity/pem.js';
import { makeCsr } from '../../src/control/identity/identity.test-helper.js';

export interface ForgedCertificate {
  key: string;
  cert: string;
}

/** A leaf for `identity` from `issuer`, valid from `now` for `lifetimeMs` (a past `now` makes it expired). */
export async function leafFrom(issuer: CertificateIssuer, identity: string, lifetimeMs = 3_600_000, now = new Date()): Promise<ForgedCertificate> {
  const { der, keys } = await makeCsr({ dns: [identity], cn: identity });
  const parsed = parseIdentityName(identity);
  const spiffe = parsed ? spiffeId(parsed, parsed.trustDomain) : '';
  const issued = await issuer.issue({ csrDer: der, identity, spiffe, lifetimeMs, now });
  return {
    key: KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string,
    cert: derToPem(issued.leafDer) + issued.chainDer.map((d) => derToPem(d)).join(''),
  };
}

/** A TLS server presenting `forged`, counting handshakes that got through to it. */
export async function forgedServer(forged: ForgedCertificate): Promise<{ addr: string; port: number; accepted: number; close(): Promise<void> }> {
  const state = { accepted: 0 };
  const server = tls.createServer({ key: forged.key, cert: forged.cert, ALPNProtocols: ['h2', 'loom.io/opaque'] }, (socket) => {
    state.accepted++;
    socket.on('error', () => undefined);
    socket.destroy();
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    addr: `127.0.0.1:${port}`,
    port,
    get accepted() {
      return state.accepted;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Connects to a proxy's inbound as a peer proxy would, presenting `forged`, and sends the HTTP/2
 * preface. `answered`: the server spoke HTTP/2 back, i.e. it accepted the client.
 */
export function forgedClient(addr: string, serverName: string, forged: ForgedCertificate | null, ca: string): Promise<{ answered: boolean; error: string }> {
  const [host, port] = addr.split(':') as [string, string];
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port: Number(port),
      servername: serverName,
      ca,
      ALPNProtocols: ['h2'],
      ...(forged ? { key: forged.key, cert: forged.cert } : {}),
    });
    let answered = false;
    let error = '';
    // TLS 1.3: the server judges the client certificate after the client has finished, so the
    // client "connects" either way; a refused one never hears HTTP/2 back.
    socket.once('secureConnect', () => socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00'));
    socket.on('error', (err) => (error = err.message));
    socket.on('data', () => {
      answered = true;
      socket.destroy();
    });
    socket.on('close', () => resolve({ answered, error }));
    setTimeout(() => socket.destroy(), 3000).unref();
  });
}
