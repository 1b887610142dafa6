// One full mTLS handshake as a peer proxy makes it, timed until the server's first bytes.
import tls from 'node:tls';

// The client's context is built once per target, as a proxy builds its own once: what is timed is the
// handshake, not parsing PEM.
const contexts = new WeakMap();
function contextOf(target) {
  let context = contexts.get(target);
  if (context === undefined) {
    context = tls.createSecureContext({ ca: target.ca, ...(target.cert ? { cert: target.cert, key: target.key } : {}), minVersion: 'TLSv1.3' });
    contexts.set(target, context);
  }
  return context;
}

// Client connection preface and an empty SETTINGS frame.
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00', 'latin1');

/**
 * A new TCP connection, TLS 1.3 (never resumed) with the client certificate, SNI = the server's
 * identity, ALPN h2, the HTTP/2 preface; done at the server's first bytes, then closed. In TLS 1.3 the
 * server judges the client certificate after the client has finished, so only an answer proves it
 * was accepted. `target`: { host, port, servername, ca, cert, key } (PEM texts; no cert/key: no client
 * certificate). Resolves { answered, ms, error }; never rejects.
 */
export function handshake(target, timeoutMs = 5000) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: target.host,
      port: target.port,
      servername: target.servername,
      secureContext: contextOf(target),
      ALPNProtocols: ['h2'],
    });
    let answered = false;
    let error = '';
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.once('secureConnect', () => {
      if (socket.alpnProtocol !== 'h2') return void socket.destroy(new Error(`ALPN chose ${socket.alpnProtocol || 'nothing'}, not h2`));
      if (socket.isSessionReused()) return void socket.destroy(new Error('the session was resumed: not a full handshake'));
      socket.write(PREFACE);
    });
    socket.once('data', () => {
      answered = true;
      socket.destroy();
    });
    socket.on('error', (err) => (error ||= err.message));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ answered, ms: performance.now() - t0, error });
    });
  });
}
