// GET /api/tap on the controller's admin port: fans a user's tap out to every proxy of the target
// and streams the merged events as JSON lines until the user goes away. A proxy that cannot be
// tapped is reported as an error line; the others keep streaming.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Direction } from '../../api/gen/loom/tap/v1/tap_pb.js';
import type { ClientCredentials, ControllerCredentials } from './controller-credentials.js';
import { tapProxy, type ObserveInit, type TapTarget } from './proxy-tap.js';
import { TapLineBuilder } from './tap-line.js';
import { parseTapQuery, type TapQuery } from './tap-query.js';
import { replyJson } from '../json-reply.js';

export type ProxyLister = () => readonly (Omit<TapTarget, 'tap' | 'identity'> & { tap?: string; identity?: string })[];

export class TapApi {
  constructor(
    private readonly proxies: ProxyLister,
    private readonly credentials: ControllerCredentials | undefined,
  ) {}

  /** Answers GET /api/tap; false when the path is not this API's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://controller');
    if (req.method !== 'GET' || url.pathname !== '/api/tap') return false;
    void this.serve(url.searchParams, req, res);
    return true;
  }

  private async serve(params: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const query = parseTapQuery(params);
    if ('error' in query) return replyError(res, 400, query.error);
    if (this.credentials === undefined) return replyError(res, 503, 'tap needs mTLS: start the controller with its identity issuer (--identity-* flags) so proxies can verify who taps them');
    const all = this.proxies();
    const selected = all.filter((p) => p.namespace === query.namespace && (query.kind === 'namespace' || (query.kind === 'workload' ? p.workload : p.pod) === query.name));
    if (selected.length === 0) return replyError(res, 404, `no ${describe(query)} is running; \`loom get workloads -n ${query.namespace}\` lists what runs`);
    const tappable = selected.filter((p): p is TapTarget => p.tap !== undefined && p.identity !== undefined);
    if (tappable.length === 0) return replyError(res, 503, `the proxies of ${describe(query)} serve no tap port; restart them with a current \`loom up\``);
    let credentials: ClientCredentials;
    try {
      credentials = await this.credentials.get();
    } catch (err) {
      return replyError(res, 500, `the controller could not issue its own tap certificate: ${(err as Error).message}`);
    }
    const owners = workloadsByIdentity(all);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    req.on('close', () => abort.abort());
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    res.flushHeaders();
    const request = observeRequest(query, Math.ceil(query.maxRps / tappable.length));
    await Promise.all(
      tappable.map(async (proxy) => {
        const lines = new TapLineBuilder(proxy, (identity) => owners.get(identity));
        try {
          for await (const event of tapProxy(proxy, request, credentials, abort.signal)) {
            const line = lines.line(event);
            if (line) res.write(`${JSON.stringify(line)}\n`);
          }
        } catch (err) {
          if (!abort.signal.aborted) res.write(`${JSON.stringify({ type: 'error', pod: `${proxy.namespace}/${proxy.pod}`, message: (err as Error).message })}\n`);
        }
      }),
    );
    res.end();
  }
}

function observeRequest(q: TapQuery, maxRps: number): ObserveInit {
  const destinationLabels: Record<string, string> = {};
  if (q.to) {
    destinationLabels.namespace = q.to.namespace;
    if (q.to.kind !== 'namespace') destinationLabels[q.to.kind === 'workload' ? 'deployment' : 'pod'] = q.to.name;
  }
  return {
    maxRps,
    match: {
      direction: q.to ? Direction.OUTBOUND : Direction.UNSPECIFIED,
      method: q.method ?? '',
      authority: q.authority ?? '',
      pathPrefix: q.path ?? '',
      destinationLabels,
    },
  };
}

/** Identities that belong to exactly one workload name that workload; shared ones name none. */
function workloadsByIdentity(proxies: ReturnType<ProxyLister>): Map<string, { namespace: string; workload: string }> {
  const owners = new Map<string, { namespace: string; workload: string } | null>();
  for (const p of proxies) {
    if (p.identity === undefined) continue;
    const known = owners.get(p.identity);
    if (known === undefined) owners.set(p.identity, { namespace: p.namespace, workload: p.workload });
    else if (known !== null && (known.namespace !== p.namespace || known.workload !== p.workload)) owners.set(p.identity, null);
  }
  return new Map([...owners].filter((e): e is [string, { namespace: string; workload: string }] => e[1] !== null));
}

function describe(q: TapQuery): string {
  return q.kind === 'namespace' ? `workload in namespace ${q.namespace}` : `${q.kind === 'workload' ? 'deploy' : 'pod'}/${q.name} in namespace ${q.namespace}`;
}

function replyError(res: ServerResponse, status: number, error: string): void {
  replyJson(res, status, { error });
}
