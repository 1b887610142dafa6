// The Location a RequestRedirect filter answers with (Gateway API HTTPRequestRedirectFilter): each
// part the filter leaves out keeps the request's own value.
import type { Redirect } from './route-plan.js';

export function redirectLocation(redirect: Redirect, request: { scheme: string; authority: string; path: string }): string {
  const scheme = redirect.scheme ?? (request.scheme === 'https' ? 'https' : 'http');
  const colon = request.authority.lastIndexOf(':');
  const hasPort = colon > request.authority.lastIndexOf(']');
  const host = redirect.hostname ?? (hasPort ? request.authority.slice(0, colon) : request.authority);
  const requestPort = hasPort ? request.authority.slice(colon + 1) : '';
  // Gateway API: with the scheme changed and no port given, the scheme's well-known port is implied.
  const port = redirect.port !== undefined ? String(redirect.port) : redirect.scheme !== undefined ? '' : requestPort;
  const wellKnown = (scheme === 'http' && port === '80') || (scheme === 'https' && port === '443');
  const q = request.path.indexOf('?');
  const path = q < 0 ? request.path : request.path.slice(0, q);
  const query = q < 0 ? '' : request.path.slice(q);
  return `${scheme}://${host}${port === '' || wellKnown ? '' : `:${port}`}${rewritePath(redirect, path)}${query}`;
}

function rewritePath(redirect: Redirect, path: string): string {
  const rule = redirect.path;
  if (rule === undefined) return path;
  if (rule.type === 'ReplaceFullPath') return rule.value;
  const prefix = rule.matchedPrefix.length > 1 && rule.matchedPrefix.endsWith('/') ? rule.matchedPrefix.slice(0, -1) : rule.matchedPrefix;
  const rest = prefix === '/' ? path : path.slice(prefix.length);
  const base = rule.value.endsWith('/') && rest.startsWith('/') ? rule.value.slice(0, -1) : rule.value;
  return `${base}${rest}` || '/';
}
