// The one-machine mesh: reads the mesh files, serves the control plane (Destination API over the
// index), and runs a proxy beside every workload replica. A replica's endpoint is registered when
// both its proxy and its app are ready and withdrawn when either stops being ready.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { GrpcApiServer } from '../../control/destination/server.js';
import { EndpointIndex, type IndexedEndpoint } from '../../control/index/endpoint-index.js';
import { ControlPlaneMetrics } from '../../control/metrics.js';
import { ProfileIndex } from '../../control/index/profile-index.js';
import { ResourceStore } from './resource-store.js';
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
  /** How to start a sidecar, e.g. [node, dist/cli/main.js, proxy]. */
  proxyCommand: string[];
  baseEnv: Record<string, string | undefined>;
  /** The Destination API's address; port 0 picks one. */
  controllerPort: number;
}

export interface ReplicaRecord {
  replica: Replica;
  deployment: LocalDeployment;
  inboundPort: number;
}

export class LocalMesh {
  readonly index = new EndpointIndex();
  readonly mesh: MeshFile;
  readonly replicas: ReplicaRecord[] = [];
  readonly profiles = new ProfileIndex();
  readonly metrics = new ControlPlaneMetrics(this.index);
  private readonly grpc = new GrpcApiServer(this.index, this.metrics, this.profiles);
  private readonly store: ResourceStore;
  private stopWatchingStore: (() => void) | undefined;
  private readonly ready = new Set<Replica>();
  controllerAddr = '';

  /** Throws MeshFileError before anything starts when the files are not valid. */
  constructor(private readonly opts: LocalMeshOptions) {
    this.mesh = loadMeshFiles(opts.files);
    this.store = new ResourceStore(join(opts.stateDir, 'resources'));
  }

  /** Serves the ServiceProfiles applied with `loom apply`, now and whenever the store changes. */
  private loadProfiles(): void {
    const views = this.store.list('ServiceProfile').flatMap((r) =>
      r.kind === 'ServiceProfile'
        ? [{ fullyQualifiedName: r.metadata.name, opaquePorts: r.spec.opaquePorts, routes: r.spec.routes.map((route) => ({ name: route.name, ...route.condition })) }]
        : [],
    );
    this.profiles.replaceAll(views);
  }

  async start(): Promise<void> {
    this.loadProfiles();
    this.stopWatchingStore = this.store.watch(() => this.loadProfiles());
    const bound = await this.grpc.listen('127.0.0.1', this.opts.controllerPort);
    this.controllerAddr = `127.0.0.1:${bound.port}`;
    // Every declared name exists from the start, so callers wait for endpoints instead of failing.
    for (const service of this.mesh.services) for (const { name } of serviceNames(service)) this.index.setEndpoints(name, []);
    mkdirSync(join(this.opts.stateDir, 'logs'), { recursive: true });
    for (const deployment of this.mesh.deployments) {
      for (let i = 0; i < (deployment.spec.replicas ?? 1); i++) await this.addReplica(deployment, i);
    }
  }

  private async addReplica(deployment: LocalDeployment, ordinal: number): Promise<void> {
    const namespace = deployment.metadata.namespace ?? 'default';
    const container = deployment.spec.template.spec.containers[0];
    const name = `${deployment.metadata.name}-${ordinal}`;
    const [app, inbound, outbound, admin] = (await freePorts(4)) as [number, number, number, number];
    const ports = { app, inbound, outbound, admin };
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? '']));
    const replica = new Replica({
      name,
      namespace,
      workload: deployment.metadata.name,
      app: { command: [...container.command, ...(container.args ?? [])], env, cwd: this.opts.cwd },
      proxy: {
        command: this.opts.proxyCommand,
        env: {
          LOOM_PROXY_DESTINATION_ADDR: this.controllerAddr,
          LOOM_PROXY_DESTINATION_CONTEXT: `${name}.${namespace}`,
          LOOM_PROXY_SHUTDOWN_GRACE_PERIOD: '5s',
        },
      },
      ports,
      logDir: join(this.opts.stateDir, 'logs'),
      baseEnv: this.opts.baseEnv,
    });
    const record = { replica, deployment, inboundPort: ports.inbound };
    this.replicas.push(record);
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
          labels: {
            namespace: served.namespace,
            service: served.service,
            deployment: r.deployment.metadata.name,
            pod: r.replica.name,
            ...pick(r.deployment.spec.template.metadata.labels, 'version'),
          },
        }));
      this.index.setEndpoints(served.name, endpoints);
    }
  }

  async stop(): Promise<void> {
    this.stopWatchingStore?.();
    await Promise.allSettled(this.replicas.map((r) => r.replica.stop()));
    await this.grpc.close();
  }
}

function pick(labels: Record<string, string>, key: string): Record<string, string> {
  const value = labels[key];
  return value === undefined ? {} : { [key]: value };
}
