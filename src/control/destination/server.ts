// Hosts the control plane's gRPC APIs on one HTTP/2 (h2c) listener.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { ServiceImpl } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { Destination } from '../../api/gen/loom/destination/v1/destination_pb.js';
import { Identity } from '../../api/gen/loom/identity/v1/identity_pb.js';
import type { EndpointIndex } from '../index/endpoint-index.js';
import { PolicyIndex } from '../index/policy-index.js';
import type { ControlPlaneMetrics } from '../metrics.js';
import { destinationService } from './service.js';

export class GrpcApiServer {
  private readonly server: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  /** `identity` adds the Identity API beside Destination when the controller issues certificates. */
  constructor(index: EndpointIndex, metrics?: ControlPlaneMetrics, policies: PolicyIndex = new PolicyIndex(), identity?: ServiceImpl<typeof Identity>) {
    const handler = connectNodeAdapter({
      grpc: true,
      connect: false,
      grpcWeb: false,
      routes: (router) => {
        router.service(Destination, destinationService(index, policies, metrics));
        if (identity) router.service(Identity, identity);
      },
    });
    this.server = http2.createServer(handler);
    this.server.on('session', (s) => {
      this.sessions.add(s);
      s.once('close', () => this.sessions.delete(s));
    });
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const a = this.server.address() as AddressInfo;
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  /** Stops the server; open streams end, so proxies reconnect (to this server's successor). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sessions) s.destroy();
    });
  }
}
