// GET /api/diagnose on the controller's admin port: one request's path through the policy, dtab and
// endpoints the controller is sending the proxies right now (what `loom diagnose` prints).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatHostPort, parseHostPort } from '../lib/host-port.js';
import { diagnose } from '../routing/diagnose.js';
import { DTAB_HEADERS } from '../routing/dtab/index.js';
import { InvalidNamespaceError, isValidNamespace } from './dtab/dtab-store.js';
import type { EndpointIndex } from './index/endpoint-index.js';
import type { PolicyIndex } from './index/policy-index.js';
import { replyJson } from './json-reply.js';

export const DIAGNOSE_API_PATH = '/api/diagnose';

const SCHEME_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };
const METHOD = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export interface DiagnoseQuery {
  readonly name: string;
  readonly dtabNamespace: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly override?: string;
}

export class DiagnoseApi {
  constructor(
    private readonly policies: PolicyIndex,
    private readonly index: EndpointIndex,
  ) {}

  /** Answers /api/diagnose; false when the path is not this API's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://controller');
    if (url.pathname.replace(/\/+$/, '') !== DIAGNOSE_API_PATH) return false;
    if (req.method !== 'GET') {
      replyJson(res, 405, { error: 'method not allowed here; use GET' }, { allow: 'GET' });
      return true;
    }
    const query = parseDiagnoseQuery(url.searchParams);
    if ('error' in query) {
      replyJson(res, 400, query);
      return true;
    }
    const { policy } = this.policies.policy(query.name, query.dtabNamespace);
    const request = { method: query.method, path: query.path, headers: query.headers };
    const override = query.override === undefined ? {} : { override: query.override };
    replyJson(res, 200, diagnose({ policy, request, ...override }, (authority) => this.index.endpoints(authority)));
    return true;
  }
}

/** The query's request, or what is wrong with it and how to write it. */
export function parseDiagnoseQuery(params: URLSearchParams): DiagnoseQuery | { error: string } {
  const target = diagnoseTarget(params.get('name') ?? '');
  if ('error' in target) return target;
  const dtabNamespace = params.get('dtabNamespace') ?? 'default';
  if (!isValidNamespace(dtabNamespace)) return { error: new InvalidNamespaceError(dtabNamespace).message };
  const method = params.get('method') ?? 'GET';
  if (!METHOD.test(method)) return { error: `method=${JSON.stringify(method)} is not an HTTP method; write e.g. method=GET` };
  const path = params.get('path') ?? target.path ?? '/';
  if (!path.startsWith('/')) return { error: `path=${JSON.stringify(path)} does not start with /; write e.g. path=/api/users?page=2` };
  const headers: Record<string, string> = {};
  for (const header of params.getAll('header')) {
    const colon = header.indexOf(':');
    const name = header.slice(0, colon).trim().toLowerCase();
    if (colon < 0 || !METHOD.test(name)) return { error: `header=${JSON.stringify(header)} is not name:value; write e.g. header=x-canary:1` };
    const value = header.slice(colon + 1).trim();
    // Repeated headers combine as node:http gives them to the proxy; dtab overrides apply in order.
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous}${(DTAB_HEADERS as readonly string[]).includes(name) ? ';' : ', '}${value}`;
  }
  const override = params.get('dtab');
  return { name: target.name, dtabNamespace, method, path, headers, ...(override === null ? {} : { override }) };
}

/** `host:port`, or an http(s) URL (its scheme's port by default), as the proxy names a logical service. */
export function diagnoseTarget(text: string): { name: string; path?: string } | { error: string } {
  if (text === '') return { error: 'name is missing; give name=<host>:<port>, e.g. world.hello.svc:80, or a URL such as http://world.hello.svc/path' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { error: `${JSON.stringify(text)} is not a URL; write e.g. http://world.hello.svc/path` };
    }
    const defaultPort = SCHEME_PORTS[url.protocol];
    if (defaultPort === undefined) return { error: `${JSON.stringify(text)} is not an http or https URL; write e.g. http://world.hello.svc/path` };
    const named = hostPort(url.host, defaultPort);
    return 'error' in named ? named : { name: named.name, path: `${url.pathname}${url.search}` };
  }
  if (!text.includes('/') && parseHostPort(text).ok === false && parseHostPort(text, 80).ok) {
    const host = text.replace(/\.$/, '');
    return { error: `${JSON.stringify(text)} has no port; write ${host}:80 (the port the app calls), or a URL such as http://${host}/` };
  }
  return hostPort(text, undefined);
}

function hostPort(text: string, defaultPort: number | undefined): { name: string } | { error: string } {
  const parsed = parseHostPort(text, defaultPort);
  if (!parsed.ok) return { error: `${parsed.problem}, e.g. world.hello.svc:80, or give a URL such as http://world.hello.svc/path` };
  const { host, port } = parsed.value;
  // The form proxies ask the controller for (normalizeName): lowercase, no trailing dot.
  return { name: formatHostPort(host.endsWith('.') ? host.slice(0, -1) : host, port) };
}

