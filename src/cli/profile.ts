// `loom profile <service> -n <ns>`: prints a ServiceProfile to edit and `loom apply`, as Linkerd's
// `linkerd profile` does: a commented template (--template), or one route per operation of an
// OpenAPI 2 or 3 document (--open-api). Routes from OpenAPI are named `<METHOD> <path>`; path
// templates (`{id}`) match one segment, and the base path (basePath, or the first server's path)
// is part of every route. The pathRegex is left unanchored, as Linkerd writes it: proxies anchor it.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { parse, stringify } from 'yaml';
import { dnsLabel, serviceName } from '../resources/fields.js';
import { parseResource, type ProfileRoute } from '../resources/index.js';
import type { CliIO } from './io.js';

export interface ProfileArgs {
  service: string;
  namespace: string;
  template: boolean;
  /** An OpenAPI document's path; `-` reads standard input. */
  openApi?: string;
}

// Linkerd's generator order; OpenAPI 3 adds TRACE.
const METHODS = ['delete', 'get', 'head', 'options', 'patch', 'post', 'put', 'trace'] as const;

export function runProfile(args: ProfileArgs, io: CliIO): number {
  const fail = (message: string): number => {
    io.err(`loom profile: ${message}\n`);
    return 2;
  };
  if (args.template === (args.openApi !== undefined)) {
    return fail(args.template ? '--template and --open-api cannot be used together; pick one' : 'say what to print: --template for a commented template, or --open-api <file> for routes from an OpenAPI document');
  }
  const badName = serviceName.safeParse(args.service).error ?? dnsLabel.safeParse(args.namespace).error;
  if (badName) return fail(badName.issues[0]?.message ?? 'the service or namespace is not a valid name');
  const name = `${args.service}.${args.namespace}.svc.cluster.local`;
  if (args.openApi === undefined) {
    io.out(profileTemplate(args.service, args.namespace));
    return 0;
  }

  const file = args.openApi;
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? `${file} does not exist; give the path of an OpenAPI document (JSON or YAML)` : `cannot read ${file} (${code ?? String(err)}); check that it is a readable file`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (err) {
    return fail(`${file} is not JSON or YAML (${String((err as Error).message).split('\n')[0]?.replace(/:$/, '')}); fix its syntax`);
  }
  const paths = isMap(document) ? document['paths'] : undefined;
  if (!isMap(document) || !isMap(paths)) return fail(`${file} is not an OpenAPI document: it has no paths; give an OpenAPI 2 or 3 document with a paths map`);

  const routes = openApiRoutes(document, paths);
  const profile = { apiVersion: 'loom.io/v1alpha2', kind: 'ServiceProfile', metadata: { name, namespace: args.namespace }, spec: { routes } };
  const checked = parseResource(profile);
  if (!checked.ok) {
    const where = (path: (string | number)[]) => (path[1] === 'routes' && typeof path[2] === 'number' ? `route "${routes[path[2]]?.name}" ${path.slice(3).join('.')}` : path.join('.'));
    return fail(`${file} gives an invalid profile; fix the OpenAPI document:\n${checked.problems.map((p) => `  ${where(p.path)}: ${p.message}`).join('\n')}`);
  }
  io.out(`# ServiceProfile for ${args.service}.${args.namespace}, from ${file === '-' ? 'standard input' : file} by \`loom profile --open-api\`.\n${stringify(profile)}`);
  return 0;
}

type Route = Pick<ProfileRoute, 'name' | 'condition'> & Partial<Pick<ProfileRoute, 'isRetryable' | 'timeout'>>;

/** One route per (path, method), paths in sorted order, as Linkerd's generator makes them. */
function openApiRoutes(document: Record<string, unknown>, paths: Record<string, unknown>): Route[] {
  const routes = new Map<string, Route>();
  for (const relative of Object.keys(paths).sort()) {
    const item = paths[relative];
    if (!isMap(item)) continue;
    const path = posix.join(basePath(document, item), relative);
    for (const method of METHODS) {
      const operation = item[method];
      if (!isMap(operation)) continue;
      const name = `${method.toUpperCase()} ${path}`;
      // Two spellings of one path ("/a//b", "/a/b") would be one route; the first keeps it.
      if (routes.has(name)) continue;
      const retryable = operation['x-linkerd-retryable'];
      const timeout = operation['x-linkerd-timeout'];
      routes.set(name, {
        name,
        condition: { method: method.toUpperCase(), pathRegex: pathRegex(path) },
        ...(retryable === true ? { isRetryable: true } : {}),
        ...(typeof timeout === 'string' ? { timeout } : {}),
      });
    }
  }
  return [...routes.values()];
}

/** `/books/{id}` -> `/books/[^/]*`: literal text escaped, each template one path segment. */
export function pathRegex(path: string): string {
  return path
    .split(/\{[^}]*\}/)
    .map((literal) => literal.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&'))
    .join('[^/]*');
}

/** OpenAPI 2's basePath, or the path of OpenAPI 3's first server (a path item's own servers first). */
function basePath(document: Record<string, unknown>, item: Record<string, unknown>): string {
  if (typeof document['basePath'] === 'string') return document['basePath'];
  const servers = Array.isArray(item['servers']) && item['servers'].length > 0 ? item['servers'] : document['servers'];
  const server: unknown = Array.isArray(servers) ? servers[0] : undefined;
  if (!isMap(server) || typeof server['url'] !== 'string') return '/';
  const variables = isMap(server['variables']) ? server['variables'] : {};
  const url = server['url'].replace(/\{([^}]*)\}/g, (whole, variable: string) => {
    const value = variables[variable];
    return isMap(value) && typeof value['default'] === 'string' ? value['default'] : whole;
  });
  try {
    return new URL(url, 'http://relative.invalid').pathname;
  } catch {
    return '/';
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function profileTemplate(service: string, namespace: string): string {
  return `### ServiceProfile for ${service}.${namespace} ###
apiVersion: loom.io/v1alpha2
kind: ServiceProfile
metadata:
  name: ${service}.${namespace}.svc.cluster.local
  namespace: ${namespace}
spec:
  # Routes name the kinds of request the service takes. Metrics are kept per route, and a route can
  # set its own timeout, retries and failure classes. A request takes the first route whose condition
  # holds; requests no route takes count under [DEFAULT].
  routes:
  - name: GET /books/{id}

    # Every route has a condition.
    condition:
      # pathRegex must match the whole path; the query string is not part of it.
      pathRegex: '/books/\\d+'

      # The request method, in capitals.
      method: GET

      # Fields set side by side must all hold, as if listed under all:
      # all:
      # - pathRegex: '/books/\\d+'
      # - method: GET

      # Conditions combine with all, any and not:
      # any:
      # - all:
      #   - method: POST
      #   - pathRegex: '/books/\\d+'
      # - all:
      #   - not:
      #       method: DELETE
      #   - pathRegex: /catalog.json

    # Response classes say which responses count as failures; the first class that matches decides.
    # When none matches, 5xx responses are failures and the rest successes.
    responseClasses:
    - condition:
        # A status range; min and max are inclusive.
        status:
          min: 500
          max: 599

        # With only min or only max, the range is just that one status.
        # status:
        #   min: 404

        # Conditions combine with all, any and not:
        # all:
        # - status:
        #     min: 500
        #     max: 599
        # - not:
        #     status:
        #       min: 503
      isFailure: true

    # Requests on this route are safe to send again: failures are retried within the retry budget.
    # isRetryable: true

    # How long to wait for the response, retries included: a Go duration such as 300ms, 1.5s or 1m30s.
    # timeout: 1s

  # Retries across all routes may add this ratio of the requests, plus a few a second whatever the
  # ratio, counted over the ttl (1s to 60s). These are the defaults.
  # retryBudget:
  #   retryRatio: 0.2
  #   minRetriesPerSecond: 10
  #   ttl: 10s

  # Ports whose traffic is opaque TCP: no protocol detection, no HTTP routes.
  # opaquePorts: [5432]
`;
}
