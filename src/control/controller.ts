// `loom controller`: the control plane process. It serves the Destination API from its indexes (and
// the Identity API when given an issuer) and an admin port with /metrics, /ready and /live; a
// platform source keeps the indexes current.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GrpcApiServer } from './destination/server.js';
import { EndpointIndex } from './index/endpoint-index.js';
import { ProfileIndex } from './index/profile-index.js';
import { IdentityMetrics } from './identity/metrics.js';
import { identityService, type IdentityServiceOptions } from './identity/service.js';
import { ControlPlaneMetrics } from './metrics.js';

export interface PlatformSource {
  start(): void;
  stop(): void;
}

export type IdentityConfig = Omit<IdentityServiceOptions, 'metrics'>;

export class Controller {
  readonly index = new EndpointIndex();
  readonly profiles = new ProfileIndex();
  readonly metrics = new ControlPlaneMetrics(this.index);
  private readonly grpc: GrpcApiServer;
  private readonly admin: http.Server;
  private source: PlatformSource | undefined;

  /** With `identity`, the gRPC listener serves the Identity API too. */
  constructor(identity?: IdentityConfig) {
    const certify = identity && identityService({ ...identity, metrics: new IdentityMetrics(this.metrics.registry) });
    this.grpc = new GrpcApiServer(this.index, this.metrics, this.profiles, certify);
    this.admin = http.createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        void this.metrics.render().then((text) => {
          res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
          res.end(text);
        });
        return;
      }
      if (req.method === 'GET' && (req.url === '/ready' || req.url === '/live')) {
        res.end(`${req.url.slice(1)}\n`);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found: GET /metrics /ready /live\n');
    });
  }

  /** Binds both ports (0 picks one), then starts the platform source. */
  async start(grpcPort: number, adminPort: number, source: (c: Controller) => PlatformSource): Promise<{ grpc: number; admin: number }> {
    const grpc = await this.grpc.listen('127.0.0.1', grpcPort);
    const admin = await new Promise<number>((resolve, reject) => {
      this.admin.once('error', reject);
      this.admin.listen(adminPort, '127.0.0.1', () => resolve((this.admin.address() as AddressInfo).port));
    });
    this.source = source(this);
    this.source.start();
    return { grpc: grpc.port, admin };
  }

  async stop(): Promise<void> {
    this.source?.stop();
    await this.grpc.close();
    await new Promise<void>((resolve) => {
      this.admin.close(() => resolve());
      this.admin.closeAllConnections();
    });
  }
}
