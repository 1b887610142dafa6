// Annotations, and the `config.loom.io/*` ones that configure a workload's proxy the way Linkerd's
// `config.linkerd.io/*` do: on the pod template, or on the Namespace as a default for its workloads.
// One table says which annotation sets which LOOM_PROXY_* variable and what values it takes.

import { z } from 'zod';
import { closest } from './issues.js';
import { qualifiedKey } from './fields.js';

const PROXY_CONFIG_PREFIX = 'config.loom.io/';

interface ProxyConfigAnnotation {
  name: string;
  /** The proxy setting it becomes (src/proxy/env.ts). */
  env: string;
  values: readonly string[];
  /** What a value is, for messages: `"x" is not <what>`. */
  what: string;
}

const PROXY_CONFIG_ANNOTATIONS: readonly ProxyConfigAnnotation[] = [
  // `off` lets a workload opt out of its Namespace's default.
  { name: 'config.loom.io/access-log', env: 'LOOM_PROXY_ACCESS_LOG', values: ['apache', 'json', 'off'], what: 'an access log format' },
];

const NAMES = PROXY_CONFIG_ANNOTATIONS.map((a) => a.name);

/** `metadata.annotations`: any qualified key with a string value; Loom's own keys and values are checked. */
export const annotationMap = z.record(qualifiedKey('annotation'), z.string()).superRefine((annotations, ctx) => {
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(PROXY_CONFIG_PREFIX)) continue;
    const known = PROXY_CONFIG_ANNOTATIONS.find((a) => a.name === key);
    if (known === undefined) {
      const near = closest(key, NAMES);
      const hint = near === undefined ? '' : `did you mean "${near}"? `;
      ctx.addIssue({ code: 'custom', path: [key], input: value, message: `"${key}" is not a Loom annotation; ${hint}use one of: ${NAMES.join(', ')}` });
    } else if (!known.values.includes(value)) {
      ctx.addIssue({ code: 'custom', path: [key], input: value, message: `${JSON.stringify(value)} is not ${known.what}; use ${oneOf(known.values)}` });
    }
  }
});

function oneOf(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/**
 * The proxy settings a workload's annotations ask for: the pod template's, else its Namespace's.
 * Unset annotations set nothing, so the proxy's own defaults hold.
 */
export function proxyEnvFromAnnotations(pod: Record<string, string> = {}, namespace: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { name, env: variable } of PROXY_CONFIG_ANNOTATIONS) {
    const value = pod[name] ?? namespace[name];
    if (value !== undefined) env[variable] = value;
  }
  return env;
}
