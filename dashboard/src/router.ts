// A small history router: the URL is the state (deep links work, back and forward work), and links
// are ordinary anchors that navigate without reloading.
import { useEffect, useState, type MouseEvent } from 'react';

export function useLocation(): URL {
  const [url, setUrl] = useState(() => new URL(window.location.href));
  useEffect(() => {
    const update = (): void => setUrl(new URL(window.location.href));
    window.addEventListener('popstate', update);
    window.addEventListener('loom:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('loom:navigate', update);
    };
  }, []);
  return url;
}

export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event('loom:navigate'));
  window.scrollTo(0, 0);
}

/** For an anchor's onClick: a plain click navigates in place; modified clicks keep the browser's meaning. */
export function follow(e: MouseEvent<HTMLAnchorElement>): void {
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(e.currentTarget.getAttribute('href') ?? '/');
}

export type Route =
  | { page: 'overview' }
  | { page: 'namespace'; namespace: string }
  | { page: 'workload'; namespace: string; name: string }
  | { page: 'pod'; namespace: string; name: string }
  | { page: 'graph'; namespace?: string }
  | { page: 'live'; namespace?: string; resource?: string }
  | { page: 'resources'; namespace?: string }
  | { page: 'not-found'; path: string };

export function routeOf(url: URL): Route {
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, namespace, kind, name] = parts;
  if (parts.length === 0) return { page: 'overview' };
  if (first === 'namespaces' && namespace !== undefined) {
    if (parts.length === 2) return { page: 'namespace', namespace };
    if (parts.length === 4 && kind === 'workloads' && name !== undefined) return { page: 'workload', namespace, name };
    if (parts.length === 4 && kind === 'pods' && name !== undefined) return { page: 'pod', namespace, name };
  }
  const ns = url.searchParams.get('namespace') ?? undefined;
  if (first === 'graph' && parts.length === 1) return { page: 'graph', ...(ns ? { namespace: ns } : {}) };
  if (first === 'traffic' && parts.length === 1) {
    const resource = url.searchParams.get('resource') ?? undefined;
    return { page: 'live', ...(ns ? { namespace: ns } : {}), ...(resource ? { resource } : {}) };
  }
  if (first === 'resources' && parts.length === 1) return { page: 'resources', ...(ns ? { namespace: ns } : {}) };
  return { page: 'not-found', path: url.pathname };
}

export const paths = {
  namespace: (ns: string): string => `/namespaces/${encodeURIComponent(ns)}`,
  workload: (ns: string, name: string): string => `/namespaces/${encodeURIComponent(ns)}/workloads/${encodeURIComponent(name)}`,
  pod: (ns: string, name: string): string => `/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`,
  graph: (ns?: string): string => (ns ? `/graph?namespace=${encodeURIComponent(ns)}` : '/graph'),
  live: (ns: string, resource: string): string => `/traffic?namespace=${encodeURIComponent(ns)}&resource=${encodeURIComponent(resource)}`,
  resources: (ns?: string): string => (ns ? `/resources?namespace=${encodeURIComponent(ns)}` : '/resources'),
};
