// One correct request through a shape before it is loaded, so a broken path fails loudly
// instead of being benchmarked as fast errors.
import http from 'node:http';
import http2 from 'node:http2';
import { REPLY, REQUEST } from './grpc-frame.mjs';
import { GRPC_PATH } from './h2load.mjs';

const TIMEOUT_MS = 5000;

export function checkHttp(port, host, path = '/') {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        if (res.statusCode === 200 && body === 'hello\n') return resolve();
        const why = res.headers['loom-proxy-error'] ? ` (loom-proxy-error: ${res.headers['loom-proxy-error']})` : '';
        reject(new Error(`HTTP check: expected 200 "hello\\n", got ${res.statusCode} ${JSON.stringify(body.slice(0, 200))}${why}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`HTTP check: no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', (err) => reject(new Error(`HTTP check: ${err.message}`)));
  });
}

export function checkGrpc(port, authority, path = GRPC_PATH) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const fail = (msg) => {
      clearTimeout(timer);
      session.destroy();
      reject(new Error(`gRPC check: ${msg}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS);
    session.on('error', (err) => fail(err.message));
    const stream = session.request({
      ':method': 'POST', ':path': path, ':authority': authority,
      'content-type': 'application/grpc', te: 'trailers',
    });
    let headers = {};
    let trailers = {};
    const chunks = [];
    stream.on('response', (h) => (headers = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (d) => chunks.push(d));
    stream.on('error', (err) => fail(err.message));
    stream.on('end', () => {
      clearTimeout(timer);
      session.close();
      const body = Buffer.concat(chunks);
      // A trailers-only reply carries grpc-status in the headers.
      const status = trailers['grpc-status'] ?? headers['grpc-status'];
      if (headers[':status'] === 200 && status === '0' && body.equals(REPLY)) return resolve();
      reject(new Error(`gRPC check: expected :status 200, grpc-status 0 and the reply message; got :status ` +
        `${headers[':status']}, grpc-status ${status}, ${body.length} body bytes` +
        (headers['loom-proxy-error'] ? `, loom-proxy-error: ${headers['loom-proxy-error']}` : '')));
    });
    stream.end(REQUEST);
  });
}
