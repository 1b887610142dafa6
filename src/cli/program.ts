// Every `loom` subcommand, wired with commander.
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_SCRAPE_INTERVAL_MS } from '../control/controller.js';
import { DEFAULT_ISSUANCE_LIFETIME_MS } from '../control/identity/service.js';
import { DEFAULT_TRUST_DOMAIN } from '../identity/names.js';
import { VERSION } from '../version.js';
import { processIO } from './io.js';
import { proxyHelp, runProxy } from './proxy.js';
import { runCheck } from './check.js';
import { runApply, runDelete } from './apply.js';
import { runController } from './controller.js';
import { runDashboard } from './dashboard.js';
import { runDiagnose } from './diagnose.js';
import { runDown } from './down.js';
import { runDtab } from './dtab.js';
import { runGet } from './get.js';
import { runLogs } from './logs.js';
import { runEdges } from './edges.js';
import { runIdentity } from './identity.js';
import { runPrometheusConfig } from './prometheus-config.js';
import { runProfile } from './profile.js';
import { runRoutes } from './routes.js';
import { runStat } from './stat.js';
import { runTap } from './tap.js';
import type { TapRequest } from './tap-stream.js';
import { runTop } from './top.js';
import { runUp } from './up.js';

const STATE_DIR = '.loom';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port (0-65535)`);
  return n;
}

function rate(value: string): number {
  const n = Number(value);
  if (!(n >= 1) || n > 10_000) throw new InvalidArgumentError(`"${value}" is not a rate; give requests per second from 1 to 10000`);
  return n;
}

type TapFlags = Omit<TapRequest, 'target' | 'stateDir'>;

/** The filters `loom tap` and `loom top` share. */
function tapFlags(command: Command): Command {
  return command
    .option('-n, --namespace <namespace>', 'the namespace of the target', 'default')
    .option('--to <resource>', 'only requests the target sends to this resource (deploy/<name>, pod/<name>, ns/<name>)')
    .option('--to-namespace <namespace>', 'the namespace of --to (default: the target\'s)')
    .option('--method <method>', 'only requests with this HTTP method')
    .option('--path <prefix>', 'only requests whose path starts with this')
    .option('--authority <authority>', 'only requests to this host[:port]')
    .option('--max-rps <rps>', 'at most this many requests per second are shown', rate, 100);
}

function tapRequest(target: string, o: TapFlags): TapRequest {
  return { target, stateDir: STATE_DIR, ...o };
}

/** Aborts on Ctrl-C, so a live view ends with exit code 0. */
function interrupted(): AbortSignal {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  return stop.signal;
}

/** A positive duration with a unit: 500ms, 30s, 90m, 24h. */
function duration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  const ms = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'] : NaN;
  if (!(ms >= 1)) throw new InvalidArgumentError(`"${value}" is not a duration; write e.g. 24h, 90m or 30s`);
  return Math.round(ms);
}

/** An http(s) base URL, e.g. of Prometheus: http://127.0.0.1:9090. */
function baseUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new InvalidArgumentError(`"${value}" is not an http(s) URL like http://127.0.0.1:9090`);
  return value;
}

const PROMETHEUS_URL_HELP = "answer `loom stat` and `loom edges` from this Prometheus (base URL; configure it with `loom prometheus-config`) instead of scraping every proxy";
const GRAFANA_URL_HELP = 'your Grafana (base URL, with the dashboards in grafana/ imported): the web dashboard links to it';

function trustDomain(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a DNS name like cluster.local`);
  return value;
}

interface IdentityFlags {
  identityTrustDomain: string;
  identityTrustAnchorsFile?: string;
  identityIssuerCertificateFile?: string;
  identityIssuerKeyFile?: string;
}

function identityFlags(command: Command): Command {
  return command
    .option('--identity-trust-domain <domain>', 'the trust domain of workload identities', trustDomain, DEFAULT_TRUST_DOMAIN)
    .option('--identity-trust-anchors-file <pem>', 'trust anchor certificates (PEM) every proxy trusts')
    .option('--identity-issuer-certificate-file <pem>', 'the identity issuer\'s CA certificate (PEM), signed by a trust anchor')
    .option('--identity-issuer-key-file <pem>', 'the identity issuer\'s private key (PEM, ECDSA P-256)');
}

export function program(): Command {
  const cli = new Command('loom')
    .description('Loom service mesh: sidecar proxy, control plane and CLI')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  cli
    .command('proxy')
    .description('run the sidecar proxy (configured by LOOM_PROXY_* environment variables)')
    .addHelpText('after', `\n${proxyHelp()}`)
    .action(async () => {
      // Exit as soon as the drain is done, whatever handles a library may still hold.
      process.exit(await runProxy(processIO));
    });
  identityFlags(
    cli
      .command('controller')
      .description('run the control plane for the mesh whose state is in --state-dir (`loom up` starts it)')
      .option('--state-dir <dir>', 'the local platform\'s state directory', STATE_DIR)
      .option('--port <port>', 'Destination API port on 127.0.0.1', port, 8086)
      .option('--admin-port <port>', 'admin port on 127.0.0.1: /metrics /ready /live', port, 9991),
  )
    .option('--identity-token-key-file <pem>', 'public key (SPKI PEM) that verifies service-account tokens; with the three files above, serves the Identity API')
    .addOption(new Option('--identity-issuance-lifetime <duration>', 'lifetime of issued certificates, e.g. 24h, 90m').argParser(duration).default(DEFAULT_ISSUANCE_LIFETIME_MS, '24h'))
    .addOption(new Option('--metrics-scrape-interval <duration>', 'how often the metrics API scrapes every proxy').argParser(duration).default(DEFAULT_SCRAPE_INTERVAL_MS, '5s'))
    .option('--prometheus-url <url>', PROMETHEUS_URL_HELP, baseUrl)
    .option('--grafana-url <url>', GRAFANA_URL_HELP, baseUrl)
    .action(async (o: { stateDir: string; port: number; adminPort: number; identityTokenKeyFile?: string; identityIssuanceLifetime: number; metricsScrapeInterval: number; prometheusUrl?: string; grafanaUrl?: string } & IdentityFlags) => {
      const identity = {
        trustDomain: o.identityTrustDomain,
        anchorsFile: o.identityTrustAnchorsFile,
        issuerCertFile: o.identityIssuerCertificateFile,
        issuerKeyFile: o.identityIssuerKeyFile,
        tokenKeyFile: o.identityTokenKeyFile,
        lifetimeMs: o.identityIssuanceLifetime,
      };
      process.exit(await runController({ stateDir: o.stateDir, port: o.port, adminPort: o.adminPort, identity, scrapeIntervalMs: o.metricsScrapeInterval, prometheusUrl: o.prometheusUrl, grafanaUrl: o.grafanaUrl }, processIO));
    });
  identityFlags(
    cli
      .command('up')
      .description('run the whole mesh on this machine from mesh files: control plane, workloads and their proxies')
      .requiredOption('-f, --file <mesh.yaml>', 'a mesh file (repeat -f for several)', collect, [])
      .option('--admin-port <port>', 'port of the mesh admin API on 127.0.0.1', port, 9990)
      .option('--controller-port <port>', 'port of the Destination API on 127.0.0.1 (0 picks one)', port, 8086)
      .option('--prometheus-url <url>', PROMETHEUS_URL_HELP, baseUrl)
      .option('--grafana-url <url>', GRAFANA_URL_HELP, baseUrl),
  )
    .addHelpText('after', '\nWithout the identity files, `loom up` generates a trust anchor and issuer in .loom/identity/ and reuses them.')
    .action(async (o: { file: string[]; adminPort: number; controllerPort: number; prometheusUrl?: string; grafanaUrl?: string } & IdentityFlags) => {
      const identity = {
        trustDomain: o.identityTrustDomain,
        supplied: { anchorsFile: o.identityTrustAnchorsFile, issuerCertFile: o.identityIssuerCertificateFile, issuerKeyFile: o.identityIssuerKeyFile },
      };
      process.exit(await runUp({ files: o.file, stateDir: STATE_DIR, adminPort: o.adminPort, controllerPort: o.controllerPort, identity, prometheusUrl: o.prometheusUrl, grafanaUrl: o.grafanaUrl }, processIO));
    });
  cli
    .command('down')
    .description('stop the mesh `loom up` started in this directory')
    .action(async () => {
      process.exitCode = await runDown(STATE_DIR, processIO);
    });
  cli
    .command('check')
    .description('check that a mesh can start here (--pre) or that the running mesh is healthy')
    .option('--pre', 'check this machine and directory before `loom up`')
    .option('--admin-port <port>', 'with --pre: the mesh admin port `loom up` will use', port, 9990)
    .option('--controller-port <port>', 'with --pre: the Destination API port `loom up` will use', port, 8086)
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (o: { pre?: boolean; adminPort: number; controllerPort: number; output: string }) => {
      process.exitCode = await runCheck({ pre: o.pre === true, stateDir: STATE_DIR, adminPort: o.adminPort, controllerPort: o.controllerPort, output: o.output }, processIO);
    });
  cli
    .command('apply')
    .description('validate resources and store them for the running mesh (ServiceProfile, HTTPRoute, GRPCRoute); changes reach the proxies at once')
    .requiredOption('-f, --file <file.yaml>', 'a resource file (repeat -f for several)', collect, [])
    .action(async (o: { file: string[] }) => {
      process.exitCode = await runApply(o.file, STATE_DIR, processIO);
    });
  cli
    .command('profile <service>')
    .description('print a ServiceProfile for a service to edit and apply: a commented template, or routes from an OpenAPI document')
    .option('-n, --namespace <namespace>', "the service's namespace", 'default')
    .option('--template', 'print a commented template')
    .option('--open-api <file>', 'one route per operation of this OpenAPI 2 or 3 document (JSON or YAML; - for standard input)')
    .action((service: string, o: { namespace: string; template?: boolean; openApi?: string }) => {
      process.exitCode = runProfile({ service, namespace: o.namespace, template: o.template === true, openApi: o.openApi }, processIO);
    });
  cli
    .command('delete <kind> <name>')
    .description('remove a stored resource')
    .option('-n, --namespace <namespace>', 'the resource\'s namespace', 'default')
    .action(async (kind: string, name: string, o: { namespace: string }) => {
      process.exitCode = await runDelete(kind, name, o.namespace, STATE_DIR, processIO);
    });
  cli
    .command('get <kind>')
    .description('list resources: workloads (of the running mesh), serviceprofiles, httproutes or grpcroutes')
    .action(async (kind: string) => {
      process.exitCode = await runGet(kind, STATE_DIR, processIO);
    });
  cli
    .command('stat <target>')
    .description('golden metrics (success, RPS, latency, TCP) of ns, deploy[/name], pod[/name] or svc[/name] over a window')
    .option('-n, --namespace <namespace>', 'the namespace of the resources', 'default')
    .option('-A, --all-namespaces', 'resources in every namespace')
    .option('-t, --time-window <window>', 'how far back to look: 30s, 1m ... 1h', '1m')
    .option('-o, --output <format>', 'table, wide (adds bytes per second) or json', 'table')
    .option('--to <kind/name>', 'only traffic the resources sent to this one (e.g. deploy/voting, svc/voting), seen by their outbound proxies')
    .option('--to-namespace <namespace>', "the --to resource's namespace (default: -n)")
    .option('--from <kind/name>', 'only traffic the resources received from this one (e.g. deploy/web), seen by its outbound proxies')
    .option('--from-namespace <namespace>', "the --from resource's namespace (default: -n)")
    .action(async (target: string, o: { namespace: string; allNamespaces?: boolean; timeWindow: string; output: string; to?: string; toNamespace?: string; from?: string; fromNamespace?: string }) => {
      const { to, toNamespace, from, fromNamespace } = o;
      process.exitCode = await runStat({ target, namespace: o.namespace, allNamespaces: o.allNamespaces === true, window: o.timeWindow, output: o.output, stateDir: STATE_DIR, to, toNamespace, from, fromNamespace }, processIO);
    });
  cli
    .command('edges <kind>')
    .description('which workloads called which (deploy), with the identities each edge proved over mTLS')
    .option('-n, --namespace <namespace>', 'edges from or to this namespace', 'default')
    .option('-A, --all-namespaces', 'edges in every namespace')
    .option('-t, --time-window <window>', 'how far back to look: 30s, 1m ... 1h', '1m')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (kind: string, o: { namespace: string; allNamespaces?: boolean; timeWindow: string; output: string }) => {
      process.exitCode = await runEdges({ kind, namespace: o.namespace, allNamespaces: o.allNamespaces === true, window: o.timeWindow, output: o.output, stateDir: STATE_DIR }, processIO);
    });
  cli
    .command('routes <target>')
    .description('success, RPS and latency per route of the services deploy/<name> or pod/<name> serves ([DEFAULT] where no route is declared)')
    .option('-n, --namespace <namespace>', 'the namespace of the target', 'default')
    .option('--to <resource>', 'only the routes the target took to this service: svc/<name>')
    .option('--to-namespace <namespace>', "the namespace of --to (default: the target's)")
    .option('-t, --time-window <window>', 'how far back to look: 30s, 1m ... 1h', '1m')
    .option('-o, --output <format>', 'table, wide (effective and actual success and RPS) or json', 'table')
    .action(async (target: string, o: { namespace: string; to?: string; toNamespace?: string; timeWindow: string; output: string }) => {
      process.exitCode = await runRoutes({ target, namespace: o.namespace, to: o.to, toNamespace: o.toNamespace, window: o.timeWindow, output: o.output, stateDir: STATE_DIR }, processIO);
    });
  // Without positional options the program's own --version would swallow `dtab update --version`.
  cli.enablePositionalOptions();
  const dtab = cli.command('dtab').description("the control plane's named dtabs (namerd's API): list, get, create, update, delete");
  dtab
    .command('list')
    .description('list the namespaces that have a dtab')
    .action(async () => {
      process.exitCode = await runDtab({ verb: 'list' }, processIO, STATE_DIR);
    });
  dtab
    .command('get <namespace>')
    .description("print a namespace's dtab and a `# version <v>` line")
    .action(async (namespace: string) => {
      process.exitCode = await runDtab({ verb: 'get', namespace }, processIO, STATE_DIR);
    });
  dtab
    .command('create <namespace> <file>')
    .description('create a namespace from a dtab file (- reads standard input)')
    .action(async (namespace: string, file: string) => {
      process.exitCode = await runDtab({ verb: 'create', namespace, file }, processIO, STATE_DIR);
    });
  dtab
    .command('update <namespace> <file>')
    .description("replace a namespace's dtab from a file (- reads standard input); refused if it changed since --version")
    .option('--version <version>', 'the version the change is based on (default: the version read just before writing)')
    .action(async (namespace: string, file: string, o: { version?: string }) => {
      process.exitCode = await runDtab({ verb: 'update', namespace, file, version: o.version }, processIO, STATE_DIR);
    });
  dtab
    .command('delete <namespace>')
    .description("delete a namespace's dtab")
    .action(async (namespace: string) => {
      process.exitCode = await runDtab({ verb: 'delete', namespace }, processIO, STATE_DIR);
    });
  cli
    .command('dashboard')
    .description('print the address of the web dashboard: golden metrics, the service graph, live traffic, routes and dtabs')
    .action(async () => {
      process.exitCode = await runDashboard(STATE_DIR, processIO);
    });
  cli
    .command('diagnose <target>')
    .description("explain one request's path to a service (host:port or URL): route, backends, dtab delegation, bound names and endpoints")
    .option('-n, --dtab-namespace <namespace>', "the dtab namespace of the caller's proxy", 'default')
    .option('--method <method>', 'the request method', 'GET')
    .option('--path <path>', "the request path and query (default: the URL's, or /)")
    .option('-H, --header <name:value>', 'a request header (repeat -H for several)', collect, [])
    .option('--dtab <override>', 'a per-request dtab override, as the l5d-dtab header carries one')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (target: string, o: { dtabNamespace: string; method: string; path?: string; header: string[]; dtab?: string; output: string }) => {
      process.exitCode = await runDiagnose({ target, dtabNamespace: o.dtabNamespace, method: o.method, path: o.path, headers: o.header, dtab: o.dtab, output: o.output, stateDir: STATE_DIR }, processIO);
    });
  tapFlags(
    cli
      .command('tap <target>')
      .description('stream the requests of ns/<name>, deploy/<name> or pod/<name> live: method, path, status, latency, mTLS identities')
      .option('-o, --output <format>', 'one line per event, wide (adds addresses) or json'),
  ).action(async (target: string, o: TapFlags & { output?: string }) => {
    process.exitCode = await runTap({ ...tapRequest(target, o), output: o.output ?? 'table' }, processIO, interrupted());
  });
  tapFlags(cli.command('top <target>').description('the busiest paths through ns/<name>, deploy/<name> or pod/<name>, live (from tap)')).action(
    async (target: string, o: TapFlags) => {
      process.exitCode = await runTop(tapRequest(target, o), processIO, interrupted());
    },
  );
  cli
    .command('prometheus-config')
    .description("print a Prometheus configuration that scrapes every proxy of this directory's mesh")
    .option('--scrape-interval <interval>', 'how often Prometheus scrapes', '10s')
    .action((o: { scrapeInterval: string }) => {
      process.exitCode = runPrometheusConfig({ stateDir: STATE_DIR, scrapeInterval: o.scrapeInterval }, processIO);
    });
  cli
    .command('identity <workload>')
    .description("show the certificate each replica's proxy presents (a workload, or one replica: web-0)")
    .option('-n, --namespace <namespace>', 'only replicas in this namespace')
    .option('-o, --output <format>', 'text, or pem for the certificate chain itself', 'text')
    .action(async (target: string, o: { namespace?: string; output: string }) => {
      process.exitCode = await runIdentity({ target, namespace: o.namespace, output: o.output, stateDir: STATE_DIR }, processIO);
    });
  cli
    .command('logs <workload>')
    .description("show a workload's output (every replica, or one: web-0)")
    .option('--proxy', "show the replica's proxy log instead")
    .action(async (workload: string, o: { proxy?: boolean }) => {
      process.exitCode = await runLogs(workload, STATE_DIR, processIO, o.proxy === true);
    });
  return cli;
}
