// The running mesh's admin API, for `loom get`, `loom logs` and `loom down` from another terminal:
// GET /ready, /live, /api/workloads; POST /shutdown (loopback only by binding to 127.0.0.1).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalMesh } from './local-mesh.js';

export class MeshAdmin {
  private readonly server: http.Server;

  constructor(mesh: LocalMesh, onShutdown: () => void) {
    this.server = http.createServer((req, res) => {
      const send = (status: number, body: unknown): void => {
        const text = typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`;
        res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
        res.end(text);
      };
      if (req.method === 'GET' && req.url === '/live') return send(200, 'live\n');
      if (req.method === 'GET' && req.url === '/ready') return send(200, 'ready\n');
      if (req.method === 'GET' && req.url === '/api/workloads') {
        return send(200, {
          controller: mesh.controllerAddr,
          controllerAdmin: mesh.controllerAdmin,
          controllerStatus: mesh.controller?.status,
          replicas: mesh.replicas.map((r) => r.replica.describe()),
        });
      }
      if (req.method === 'POST' && req.url === '/shutdown') {
        send(202, 'shutting down\n');
        onShutdown();
        return;
      }
      send(404, 'not found: GET /ready /live /api/workloads, POST /shutdown\n');
    });
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
