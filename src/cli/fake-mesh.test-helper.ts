// A fake running mesh for CLI tests: a state directory whose mesh.json points at a mesh admin that
// names a fake controller admin answering with `controller`.
import { mkdirSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMeshState } from '../platform/local/state-file.js';
import type { CliIO } from './io.js';

export function captureIO(): CliIO & { stdout: string; stderr: string } {
  const captured = { stdout: '', stderr: '' };
  return Object.assign(captured, { out: (t: string) => void (captured.stdout += t), err: (t: string) => void (captured.stderr += t), env: {} });
}

async function listen(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A fake controller's answer with a status other than 200. */
export class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

function json(res: http.ServerResponse, answer: unknown): void {
  const { status, body } = answer instanceof HttpAnswer ? answer : { status: 200, body: answer };
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Runs `body` with a state dir of a fake mesh; `controller` answers the metrics API's requests.
 * `controllerAdmin` overrides the address the mesh admin names (e.g. one where nothing listens).
 */
export async function withFakeMesh(
  controller: (url: URL) => unknown,
  body: (stateDir: string, queries: string[]) => Promise<void>,
  controllerAdmin?: string,
): Promise<void> {
  const queries: string[] = [];
  const api = await listen((req, res) => {
    queries.push(req.url ?? '');
    json(res, controller(new URL(req.url ?? '/', 'http://controller')));
  });
  const admin = await listen((_req, res) => json(res, { controllerAdmin: controllerAdmin ?? api.url, replicas: [] }));
  const stateDir = join(mkdtempSync(join(tmpdir(), 'loom-cli-')), '.loom');
  mkdirSync(stateDir, { recursive: true });
  writeMeshState(stateDir, { pid: process.pid, admin: admin.url, controller: '127.0.0.1:1', files: [] });
  try {
    await body(stateDir, queries);
  } finally {
    await Promise.all([api.server, admin.server].map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
