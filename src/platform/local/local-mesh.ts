// The one-machine mesh: reads the mesh files, runs the control plane (`loom controller`, which
// watches the endpoints this publishes to the state directory) and a proxy beside every replica.
// A replica's endpoint is published when both its proxy and its app are ready and withdrawn when
// either stops being ready.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IndexedEndpoint } from '../../control/index/endpoint-index.js';
import { writeEndpoints, type EndpointTable } from './endpoint-file.js';
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
    mkdirSync(join(this.opts.stateDir, 'logs'), { recursive: true });
    // Every declared name exists from the start, so callers wait for endpoints instead of failing.
    for (const service of this.mesh.services) for (const { name } of serviceNames(service)) this.published[name] = [];
    writeEndpoints(this.opts.stateDir, this.published);
    await this.startController();
    for (const deployment of this.mesh.deployments) {
      for (let i = 0; i < (deployment.spec.replicas ?? 1); i++) await this.addReplica(deployment, i);
    }
  }

  private async startController(): Promise<void> {
    const [free, admin] = (await freePorts(2)) as [number, number];
    const port = this.opts.controllerPort === 0 ? free : this.opts.controllerPort;
    this.controllerAddr = `127.0.0.1:${port}`;
    this.controllerAdmin = `http://127.0.0.1:${admin}`;
    const controller = new SupervisedProcess({
      name: 'controller',
      command: [...this.opts.loomCommand, 'controller', '--state-dir', this.opts.stateDir, '--port', String(port), '--admin-port', String(admin)],
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
      this.published[served.name] = endpoints;
    }
    writeEndpoints(this.opts.stateDir, this.published);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.replicas.map((r) => r.replica.stop()));
    await this.controller?.stop();
  }
}

function pick(labels: Record<string, string>, key: string): Record<string, string> {
  const value = labels[key];
  return value === undefined ? {} : { [key]: value };
}
