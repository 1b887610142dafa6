// The dashboard's files (built by Vite into dist/dashboard) on the controller's admin port. Any path
// that is not a file gets index.html, so a deep link (/namespaces/emojivoto) loads the app, which
// then routes it. Hashed assets are read once and kept: a new build gives them new names.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/dashboard from src/control/web (tests) and dist/control/web alike. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../dist/dashboard/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

interface StaticFile {
  body: Buffer;
  type: string;
  immutable: boolean;
}

export class DashboardFiles {
  private readonly cache = new Map<string, StaticFile | null>();

  constructor(private readonly dir = DASHBOARD_DIR) {}

  /** Answers GET and HEAD for the app's paths; false for paths that belong to an API. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://controller').pathname;
    if (path.startsWith('/api/')) return false;
    // A path with an extension names a file (a missing asset is a 404, never the app in its place).
    const file = this.file(path) ?? (extname(path) === '' ? this.file('/index.html') : null);
    if (file === null && extname(path) !== '' && path !== '/index.html') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`not found: ${path}\n`);
      return true;
    }
    if (file === null) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`the dashboard is not built (no ${this.dir}index.html): run \`npm run build\`\n`);
      return true;
    }
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': file.body.length,
      // Vite names assets by content hash: they never change; index.html always may.
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return true;
  }

  private file(urlPath: string): StaticFile | null {
    const cached = this.cache.get(urlPath);
    if (cached !== undefined) return cached;
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    const full = normalize(join(this.dir, decoded));
    // Nothing outside the dashboard's folder, whatever the path says.
    const inside = full.startsWith(this.dir.endsWith(sep) ? this.dir : this.dir + sep);
    const found = inside && existsSync(full) && statSync(full).isFile() ? { body: readFileSync(full), type: TYPES[extname(full)] ?? 'application/octet-stream', immutable: decoded.startsWith('/assets/') } : null;
    // Only hashed assets are kept: they never change. index.html is read again so a rebuild shows;
    // misses are not kept either, since unknown paths are unbounded.
    if (found?.immutable) this.cache.set(urlPath, found);
    return found;
  }
}
