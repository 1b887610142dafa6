// The one-machine mesh: reads the mesh files, runs the control plane (`loom controller`, which
// watches the endpoints this publishes to the state directory) and a proxy beside every replica.
// A replica's endpoint is published when both its proxy and its app are ready and withdrawn when
// either stops being ready. Every proxy gets a service-account token and the trust anchors, and
// proves its workload's identity with a certificate from the controller. The mesh files are followed
// while it runs: a Deployment whose config.loom.io annotations change is rolled out with the new settings.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IndexedEndpoint } from '../../control/index/endpoint-index.js';
import { CONTROLLER_SERVICE_ACCOUNT, DEFAULT_TRUST_DOMAIN, identityName } from '../../identity/names.js';
import { proxyEnvFromAnnotations } from '../../resources/index.js';
import { writeEndpoints, type EndpointTable } from './endpoint-file.js';
import { writePrometheusTargets } from './prometheus-targets.js';
import { writeProxies, type ProxyRecord } from './proxy-file.js';
import { controllerIdentityFlags, ensureLocalIdentity, serviceAccount, TOKEN_REFRESH_MS, writeReplicaToken, type LocalIdentity } from './identity-files.js';
import { httpProbe } from './readiness.js';
import { SupervisedProcess } from './supervised-process.js';
import { freePorts } from './free-port.js';
import { loadMeshFiles, type LocalDeployment, type MeshFile } from './mesh-file.js';
import { MeshFileWatcher } from './mesh-file-watcher.js';
import { Replica, type ReplicaPorts } from './replica.js';
import { namesServedBy, serviceNames } from './topology.js';

export interface LocalMeshOptions {
  files: string[];
  /** Where workload commands run (the directory `loom up` was started in). */
  cwd: string;
  /** Logs and state (`.loom/`). */
  stateDir: string;
  /** How to run `loom`, e.g. [node, dist/cli/main.js]: for the controller and every sidecar. */
  loomCommand: string[];
  baseEnv: Record<string, string | undefined>;
  /** The Destination API's port on 127.0.0.1; 0 picks one. */
  controllerPort: number;
  identity?: LocalMeshIdentityOptions;
  /** How often the controller's metrics API scrapes the proxies (its default when absent). */
  scrapeIntervalMs?: number;
  /** The controller's metrics API asks this Prometheus instead of scraping (`--prometheus-url`). */
  prometheusUrl?: string;
  /** The user's Grafana, for the dashboard to link to (`--grafana-url`). */
  grafanaUrl?: string;
  /** What the running mesh tells its user (a changed mesh file, a rollout); stderr by default. */
  notify?: (message: string) => void;
}

export interface LocalMeshIdentityOptions {
  /** cluster.local by default. */
  trustDomain?: string;
  /** All three or none; without them the state directory's generated anchor and issuer are used. */
  supplied?: { anchorsFile?: string; issuerCertFile?: string; issuerKeyFile?: string };
}

export interface ReplicaRecord {
  replica: Replica;
  deployment: LocalDeployment;
  inboundPort: number;
}

export class LocalMesh {
  readonly mesh: MeshFile;
  readonly replicas: ReplicaRecord[] = [];
  /** The control plane, a supervised `loom controller` process reading this mesh's state directory. */
  controller: SupervisedProcess | undefined;
  controllerAddr = '';
  controllerAdmin = '';
  /** The trust anchors, issuer and token signer; set by start(). */
  identity: LocalIdentity | undefined;
  private tokenRefresh: NodeJS.Timeout | undefined;
  private readonly published: EndpointTable = {};
  private readonly ready = new Set<Replica>();
  /** Each Deployment's proxy settings from its (and its Namespace's) config.loom.io annotations, as of the latest valid file. */
  private readonly proxyEnv = new Map<LocalDeployment, Record<string, string>>();
  private readonly watcher: MeshFileWatcher;
  private readonly notify: (message: string) => void;
  /** Rollouts run one after another; stop() waits for the one under way. */
  private rollouts: Promise<void> = Promise.resolve();
  private stopping = false;

  /** Throws MeshFileError before anything starts when the files are not valid. */
  constructor(private readonly opts: LocalMeshOptions) {
    this.mesh = loadMeshFiles(opts.files);
    for (const deployment of this.mesh.deployments) this.proxyEnv.set(deployment, proxyEnvOf(this.mesh, deployment));
    this.notify = opts.notify ?? ((message) => void process.stderr.write(`loom up: ${message}\n`));
    this.watcher = new MeshFileWatcher({
      files: opts.files,
      onChange: (next) => this.update(next),
      onInvalid: (problems) => this.notify(`the mesh files changed but are not valid; the mesh runs on unchanged:\n${problems.map((p) => `  ${p}`).join('\n')}`),
    });
  }

  /** What the mesh has published for a logical name (the controller serves the same). */
  endpoints(name: string): IndexedEndpoint[] {
    return this.published[name] ?? [];
  }

  async start(): Promise<void> {
    this.identity = await ensureLocalIdentity({
      stateDir: this.opts.stateDir,
      trustDomain: this.opts.identity?.trustDomain ?? DEFAULT_TRUST_DOMAIN,
      supplied: this.opts.identity?.supplied,
    });
    mkdirSync(join(this.opts.stateDir, 'logs'), { recursive: true });
    // Every declared name exists from the start, so callers wait for endpoints instead of failing.
    for (const service of this.mesh.services) for (const { name } of serviceNames(service)) this.published[name] = [];
    writeEndpoints(this.opts.stateDir, this.published);
    await this.startController();
    for (const deployment of this.mesh.deployments) {
      for (let i = 0; i < (deployment.spec.replicas ?? 1); i++) await this.addReplica(deployment, i);
    }
    // Proxies reread their token file at each certificate renewal.
    this.tokenRefresh = setInterval(() => void this.refreshTokens(), TOKEN_REFRESH_MS).unref();
    this.watcher.start();
  }

  private get localIdentity(): LocalIdentity {
    if (!this.identity) throw new Error('the mesh has not started');
    return this.identity;
  }

  private async refreshTokens(): Promise<void> {
    for (const r of this.replicas) await writeReplicaToken(this.localIdentity, serviceAccount(r.deployment), r.replica.name).catch(() => undefined);
  }

  private async startController(): Promise<void> {
    const [free, admin] = (await freePorts(2)) as [number, number];
    const port = this.opts.controllerPort === 0 ? free : this.opts.controllerPort;
    this.controllerAddr = `127.0.0.1:${port}`;
    this.controllerAdmin = `http://127.0.0.1:${admin}`;
    const controller = new SupervisedProcess({
      name: 'controller',
      command: [...this.opts.loomCommand, 'controller', '--state-dir', this.opts.stateDir, '--port', String(port), '--admin-port', String(admin), ...controllerIdentityFlags(this.localIdentity), ...(this.opts.scrapeIntervalMs ? ['--metrics-scrape-interval', `${this.opts.scrapeIntervalMs}ms`] : []), ...(this.opts.prometheusUrl ? ['--prometheus-url', this.opts.prometheusUrl] : []), ...(this.opts.grafanaUrl ? ['--grafana-url', this.opts.grafanaUrl] : [])],
      env: {},
      baseEnv: this.opts.baseEnv,
      cwd: this.opts.cwd,
      logFile: join(this.opts.stateDir, 'logs', 'controller.log'),
      ready: () => httpProbe(`${this.controllerAdmin}/ready`),
      fixHint: 'the controller comes from Loom itself: check the Loom installation',
    });
    this.controller = controller;
    const ready = new Promise<void>((resolve) => controller.on('status', (s) => s === 'ready' && resolve()));
    controller.start();
    const timeout = new Promise<void>((_, reject) =>
      setTimeout(() => reject(new Error(`the controller did not become ready; see ${join(this.opts.stateDir, 'logs', 'controller.log')} (${controller.lastError ?? 'no error yet'})`)), 15_000).unref(),
    );
    await Promise.race([ready, timeout]);
  }

  private async addReplica(deployment: LocalDeployment, ordinal: number): Promise<void> {
    const name = `${deployment.metadata.name}-${ordinal}`;
    const [app, inbound, outbound, admin, tap] = (await freePorts(5)) as [number, number, number, number, number];
    const ports = { app, inbound, outbound, admin, tap };
    const replica = await this.createReplica(deployment, name, ports);
    const record = { replica, deployment, inboundPort: ports.inbound };
    this.replicas.push(record);
    const identity = this.localIdentity;
    const proxies: ProxyRecord[] = this.replicas.map((r) => ({
      namespace: r.deployment.metadata.namespace ?? 'default',
      workload: r.deployment.metadata.name,
      pod: r.replica.name,
      admin: `http://127.0.0.1:${r.replica.describe().ports.admin}`,
      identity: identityName(serviceAccount(r.deployment), identity.trustDomain),
      tap: `127.0.0.1:${r.replica.describe().ports.tap}`,
    }));
    writeProxies(this.opts.stateDir, proxies);
    writePrometheusTargets(this.opts.stateDir, proxies);
    void replica.start();
  }

  /** A replica and its proxy, not yet started, that publishes its endpoint while ready. */
  private async createReplica(deployment: LocalDeployment, name: string, ports: ReplicaPorts): Promise<Replica> {
    const namespace = deployment.metadata.namespace ?? 'default';
    const container = deployment.spec.template.spec.containers[0];
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? '']));
    const identity = this.localIdentity;
    const sa = serviceAccount(deployment);
    const replica = new Replica({
      name,
      namespace,
      workload: deployment.metadata.name,
      app: { command: [...container.command, ...(container.args ?? [])], env, cwd: this.opts.cwd },
      proxy: {
        command: [...this.opts.loomCommand, 'proxy'],
        env: {
          ...this.proxyEnv.get(deployment),
          LOOM_PROXY_DESTINATION_ADDR: this.controllerAddr,
          LOOM_PROXY_DESTINATION_CONTEXT: `${name}.${namespace}`,
          LOOM_PROXY_SHUTDOWN_GRACE_PERIOD: '5s',
          LOOM_PROXY_IDENTITY_LOCAL_NAME: identityName(sa, identity.trustDomain),
          LOOM_PROXY_IDENTITY_TRUST_ANCHORS: identity.anchorsPem,
          LOOM_PROXY_IDENTITY_TOKEN_FILE: await writeReplicaToken(identity, sa, name),
          LOOM_PROXY_IDENTITY_SVC_ADDR: this.controllerAddr,
          LOOM_PROXY_TAP_SVC_NAME: identityName(CONTROLLER_SERVICE_ACCOUNT, identity.trustDomain),
        },
      },
      ports,
      logDir: join(this.opts.stateDir, 'logs'),
      baseEnv: this.opts.baseEnv,
    });
    replica.on('ready', () => {
      this.ready.add(replica);
      this.publish(deployment);
    });
    replica.on('unready', () => {
      this.ready.delete(replica);
      this.publish(deployment);
    });
    return replica;
  }

  /** A changed mesh file: what can change while running (proxy settings) is rolled out; the rest waits for the next `loom up`. */
  private update(next: MeshFile): void {
    for (const deployment of this.mesh.deployments) {
      const key = keyOf(deployment);
      const updated = next.deployments.find((d) => keyOf(d) === key);
      if (updated === undefined) continue;
      const env = proxyEnvOf(next, updated);
      if (JSON.stringify(env) === JSON.stringify(this.proxyEnv.get(deployment))) continue;
      this.proxyEnv.set(deployment, env);
      const settings = Object.entries(env).map(([name, value]) => `${name}=${value}`).join(' ') || 'the proxy defaults';
      this.notify(`${key}: proxy settings changed to ${settings}; restarting its replicas one at a time`);
      this.rollouts = this.rollouts
        .then(() => this.rollOut(deployment))
        .catch((err: unknown) => this.notify(`${key}: the rollout stopped: ${err instanceof Error ? err.message : String(err)}`));
    }
    if (withoutAnnotations(next) !== withoutAnnotations(this.mesh)) {
      this.notify('the mesh files changed beyond config.loom.io annotations; those changes take effect at the next `loom up`');
    }
  }

  /** Like a Kubernetes rollout with maxUnavailable 1: each replica is replaced, on the same ports, and the next waits until it is ready. */
  private async rollOut(deployment: LocalDeployment): Promise<void> {
    for (const record of this.replicas.filter((r) => r.deployment === deployment)) {
      if (this.stopping) return;
      const old = record.replica;
      await old.stop();
      const replica = await this.createReplica(deployment, old.name, old.describe().ports);
      if (this.stopping) return;
      record.replica = replica;
      const ready = new Promise<void>((resolve) => {
        replica.once('ready', resolve);
        replica.on('status', (status: string) => {
          if (status === 'stopped') resolve();
        });
        setTimeout(resolve, ROLLOUT_READY_TIMEOUT_MS).unref();
      });
      void replica.start();
      await ready;
    }
  }

  /** Sets the endpoints of every name the deployment serves from its ready replicas. */
  private publish(deployment: LocalDeployment): void {
    for (const served of namesServedBy(this.mesh, deployment)) {
      const endpoints: IndexedEndpoint[] = this.replicas
        .filter((r) => this.ready.has(r.replica) && namesServedBy(this.mesh, r.deployment).some((n) => n.name === served.name))
        .map((r) => ({
          addr: `127.0.0.1:${r.inboundPort}`,
          host: '127.0.0.1',
          port: r.inboundPort,
          weight: 1,
          meshed: true,
          identity: identityName(serviceAccount(r.deployment), this.localIdentity.trustDomain),
          labels: {
            namespace: served.namespace,
            service: served.service,
            deployment: r.deployment.metadata.name,
            pod: r.replica.name,
            ...pick(r.deployment.spec.template.metadata.labels, 'version'),
          },
        }));
      this.published[served.name] = endpoints;
    }
    writeEndpoints(this.opts.stateDir, this.published);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.watcher.stop();
    clearInterval(this.tokenRefresh);
    await Promise.allSettled(this.replicas.map((r) => r.replica.stop()));
    await this.rollouts;
    await this.controller?.stop();
  }
}

const ROLLOUT_READY_TIMEOUT_MS = 60_000;

function keyOf(deployment: LocalDeployment): string {
  return `${deployment.metadata.namespace ?? 'default'}/${deployment.metadata.name}`;
}

function proxyEnvOf(mesh: MeshFile, deployment: LocalDeployment): Record<string, string> {
  const namespace = mesh.namespaces.find((n) => n.metadata.name === (deployment.metadata.namespace ?? 'default'));
  return proxyEnvFromAnnotations(deployment.spec.template.metadata.annotations, namespace?.metadata.annotations);
}

function withoutAnnotations(mesh: MeshFile): string {
  return JSON.stringify(mesh, (key, value: unknown) => (key === 'annotations' ? undefined : value));
}

function pick(labels: Record<string, string>, key: string): Record<string, string> {
  const value = labels[key];
  return value === undefined ? {} : { [key]: value };
}
