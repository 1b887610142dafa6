// The proxy's admin server (default 0.0.0.0:4191): routing, method checks and lifecycle.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SocketAddr } from '../env.js';
import { adminRoutes, type AdminOptions, type Routes } from './endpoints.js';
import { send } from './respond.js';

export class AdminServer {
  private readonly server: Server;
  private readonly routes: Routes;
  private readonly index: string;
  private readonly inFlight = new Set<ServerResponse>();

  constructor(private readonly opts: AdminOptions) {
    this.routes = adminRoutes(opts);
    this.index = [...this.routes].map(([path, methods]) => `${Object.keys(methods).join('|')} ${path}`).join(', ');
    // The admin port is often reachable from the network: bound how long a slow client may hold it.
    this.server = createServer({ headersTimeout: 10_000, requestTimeout: 10_000 }, (req, res) => void this.handle(req, res));
  }

  /** Starts listening; resolves with the bound address (useful with port 0). */
  listen(addr: SocketAddr): Promise<SocketAddr> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(addr.port, addr.host, () => {
        this.server.off('error', reject);
        const bound = this.server.address() as AddressInfo;
        resolve({ host: bound.address, port: bound.port });
      });
    });
  }

  /** Stops accepting, closes idle connections and resolves once in-flight requests are answered. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      // Answers still to come end their connection, so keep-alive does not hold close() up.
      for (const res of this.inFlight) {
        if (!res.headersSent) res.setHeader('connection', 'close');
        else res.once('finish', () => setImmediate(() => this.server.closeIdleConnections()));
      }
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A keep-alive request arriving after close() gets its answer, then its connection ends.
    if (!this.server.listening) res.setHeader('connection', 'close');
    this.inFlight.add(res);
    res.once('close', () => this.inFlight.delete(res));
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const route = this.routes.get(path);
    if (!route) return send(res, 404, `no admin endpoint at ${path}; the endpoints are: ${this.index}\n`);
    const handler = route[req.method === 'HEAD' ? 'GET' : (req.method ?? '')];
    if (!handler) {
      const allow = Object.keys(route).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
      res.setHeader('allow', allow);
      return send(res, 405, `${path} accepts ${allow}, not ${req.method}\n`);
    }
    try {
      await handler(req, res);
    } catch (err) {
      this.opts.logger.error({ err, path }, 'admin request failed');
      if (res.headersSent) res.destroy();
      else send(res, 500, `${path} failed: ${(err as Error).message}\n`);
    }
  }
}
