// How the controller's HTTP APIs answer: JSON, never cached (every answer describes the mesh now).
import type { ServerResponse } from 'node:http';

export function replyJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(`${JSON.stringify(body)}\n`);
}
