// The one-machine mesh: reads the mesh files, runs the control plane (`loom controller`, which
// watches the endpoints this publishes to the state directory) and a proxy beside every replica.
// A replica's endpoint is published when both its proxy and its app are ready and withdrawn when
// either stops being ready. Every proxy gets a service-account token and the trust anchors, and
// proves its workload's identity with a certificate from the controller.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IndexedEndpoint } from '../../control/index/endpoint-index.js';
import { DEFAULT_TRUST_DOMAIN, identityName } from '../../identity/names.js';
import { writeEndpoints, type EndpointTable } from './endpoint-file.js';
import { writePrometheusTargets } from './prometheus-targets.js';
import { writeProxies, type ProxyRecord } from './proxy-file.js';
import { controllerIdentityFlags, ensureLocalIdentity, serviceAccount, TOKEN_REFRESH_MS, writeReplicaToken, type LocalIdentity } from './identity-files.js';
import { httpProbe } from './readiness.js';
import { SupervisedProcess } from './supervised-process.js';
import { freePorts } from './free-port.js';
import { loadMeshFiles, type LocalDeployment, type MeshFile } from './mesh-file.js';
import { Replica } from './replica.js';
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

  /** Throws MeshFileError before anything starts when the files are not valid. */
  constructor(private readonly opts: LocalMeshOptions) {
    this.mesh = loadMeshFiles(opts.files);
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
      command: [...this.opts.loomCommand, 'controller', '--state-dir', this.opts.stateDir, '--port', String(port), '--admin-port', String(admin), ...controllerIdentityFlags(this.localIdentity), ...(this.opts.scrapeIntervalMs ? ['--metrics-scrape-interval', `${this.opts.scrapeIntervalMs}ms`] : [])],
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
    const namespace = deployment.metadata.namespace ?? 'default';
    const container = deployment.spec.template.spec.containers[0];
    const name = `${deployment.metadata.name}-${ordinal}`;
    const [app, inbound, outbound, admin] = (await freePorts(4)) as [number, number, number, number];
    const ports = { app, inbound, outbound, admin };
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
          LOOM_PROXY_DESTINATION_ADDR: this.controllerAddr,
          LOOM_PROXY_DESTINATION_CONTEXT: `${name}.${namespace}`,
          LOOM_PROXY_SHUTDOWN_GRACE_PERIOD: '5s',
          LOOM_PROXY_IDENTITY_LOCAL_NAME: identityName(sa, identity.trustDomain),
          LOOM_PROXY_IDENTITY_TRUST_ANCHORS: identity.anchorsPem,
          LOOM_PROXY_IDENTITY_TOKEN_FILE: await writeReplicaToken(identity, sa, name),
          LOOM_PROXY_IDENTITY_SVC_ADDR: this.controllerAddr,
        },
      },
      ports,
      logDir: join(this.opts.stateDir, 'logs'),
      baseEnv: this.opts.baseEnv,
    });
    const record = { replica, deployment, inboundPort: ports.inbound };
    this.replicas.push(record);
    const proxies: ProxyRecord[] = this.replicas.map((r) => ({
      namespace: r.deployment.metadata.namespace ?? 'default',
      workload: r.deployment.metadata.name,
      pod: r.replica.name,
      admin: `http://127.0.0.1:${r.replica.describe().ports.admin}`,
      identity: identityName(serviceAccount(r.deployment), identity.trustDomain),
    }));
    writeProxies(this.opts.stateDir, proxies);
    writePrometheusTargets(this.opts.stateDir, proxies);
    replica.on('ready', () => {
      this.ready.add(replica);
      this.publish(deployment);
    });
    replica.on('unready', () => {
      this.ready.delete(replica);
      this.publish(deployment);
    });
    void replica.start();
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
    clearInterval(this.tokenRefresh);
    await Promise.allSettled(this.replicas.map((r) => r.replica.stop()));
    await this.controller?.stop();
  }
}

function pick(labels: Record<string, string>, key: string): Record<string, string> {
  const value = labels[key];
  return value === undefined ? {} : { [key]: value };
}
