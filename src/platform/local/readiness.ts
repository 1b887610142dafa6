// Readiness probes for supervised processes: each answers true or false within a short timeout, never throws.
import { connect } from 'node:net';
import { request } from 'node:http';

/** True when a TCP connection to host:port opens within `timeoutMs`. */
export function tcpProbe(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when a GET of `url` answers with a status in 200-399 within `timeoutMs`. */
export function httpProbe(url: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    let req: ReturnType<typeof request>;
    // A fresh connection per probe (agent: false), so a stale keep-alive socket never decides the answer.
    try {
      req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(status >= 200 && status < 400);
        req.destroy();
      });
    } catch {
      resolve(false); // an unusable URL is never ready
      return;
    }
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.once('close', () => resolve(false));
    req.end();
  });
}
