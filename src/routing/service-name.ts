// Logical names and their dtab paths. A request to `world.hello.svc:80` is identified as the path
// `/svc/hello/80/world`; the mesh's base dentry `/svc => /#/loom.svc` binds it to the namer
// `/#/loom.svc/<ns>/<port>/<svc>`, so a dtab rewrites services the way Linkerd 1's Kubernetes namer
// (`/#/io.l5d.k8s/<ns>/<port>/<svc>`) lets it. `/$/inet/<host>/<port>` names an address directly.
import { parseDentry } from './dtab/parser.js';
import type { Dentry, Path } from './dtab/types.js';

export interface ServiceName {
  readonly service: string;
  readonly namespace: string;
  readonly port: number;
}

const SERVICE = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.svc(\.cluster\.local)?:(\d{1,5})$/;

/** `world.hello.svc:80` (or `...svc.cluster.local:80`) -> its parts; undefined for other names. */
export function parseServiceName(name: string): ServiceName | undefined {
  const m = SERVICE.exec(name.toLowerCase());
  if (!m) return undefined;
  const port = Number(m[6]);
  return port > 0 && port < 65536 ? { service: m[1] as string, namespace: m[3] as string, port } : undefined;
}

export function serviceAuthority({ service, namespace, port }: ServiceName): string {
  return `${service}.${namespace}.svc:${port}`;
}

/** The path a dtab resolves for a service: `/svc/<ns>/<port>/<svc>`. */
export function serviceDtabPath({ service, namespace, port }: ServiceName): Path {
  return ['svc', namespace, String(port), service];
}

/** Written before any user dentry, so names a dtab does not rewrite reach the service they name. */
export const BASE_DENTRY: Dentry = (() => {
  const parsed = parseDentry('/svc => /#/loom.svc');
  if (!parsed.ok) throw new Error('the base dentry does not parse');
  return parsed.value;
})();

/** A bound name to the logical name the proxy dials; undefined for a namer Loom does not have. */
export function boundToAuthority(path: Path): string | undefined {
  if (path[0] === '#' && path[1] === 'loom.svc' && path.length === 5) {
    const [, , namespace, port, service] = path as [string, string, string, string, string];
    const name = `${service}.${namespace}.svc:${port}`;
    return parseServiceName(name) ? name : undefined;
  }
  if (path[0] === '$' && path[1] === 'inet' && path.length === 4) {
    const [, , host, port] = path as [string, string, string, string];
    const n = Number(port);
    if (!/^\d{1,5}$/.test(port) || n < 1 || n > 65535 || host === '') return undefined;
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }
  return undefined;
}
