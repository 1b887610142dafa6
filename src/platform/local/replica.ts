// One replica of a workload on the local platform: its sidecar proxy and its app, supervised as a pair.
// The app starts only once its proxy is ready, and stops before it, so in-flight work drains through it.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { httpProbe, tcpProbe } from './readiness.js';
import { SupervisedProcess, type ProcessStatus, type SupervisedProcessOptions } from './supervised-process.js';

export interface ReplicaPorts {
  app: number;
  inbound: number;
  outbound: number;
  admin: number;
  tap: number;
}

export interface ReplicaOptions {
  /** `web-0` */
  name: string;
  namespace: string;
  workload: string;
  app: { command: string[]; env: Record<string, string>; cwd: string };
  proxy: { command: string[]; env: Record<string, string> };
  ports: ReplicaPorts;
  /** Logs go to `<logDir>/<namespace>/<name>.{proxy,app}.log`. */
  logDir: string;
  /** The environment both processes inherit; the CLI passes process.env. */
  baseEnv?: Record<string, string | undefined>;
  /** Passed to both processes; tests shorten these. */
  timing?: Pick<SupervisedProcessOptions, 'backoff' | 'stopGraceMs' | 'probeIntervalMs'>;
}

/** What `loom get workloads` shows for a replica. */
export interface ReplicaDescription {
  name: string;
  namespace: string;
  workload: string;
  status: ProcessStatus;
  restarts: number;
  pids: { proxy: number | undefined; app: number | undefined };
  ports: ReplicaPorts;
  lastError: string | undefined;
}

const LOCALHOST = '127.0.0.1';

export class Replica extends EventEmitter {
  readonly proxy: SupervisedProcess;
  readonly app: SupervisedProcess;
  readonly #opts: ReplicaOptions;
  #running = false;
  #ready = false;
  #status: ProcessStatus = 'stopped';
  /** Ends start()'s wait for the proxy when stop() comes first. */
  #cancelWait: (() => void) | undefined;

  constructor(opts: ReplicaOptions) {
    super();
    this.#opts = opts;
    const { name, namespace, ports, logDir } = opts;
    const logs = join(logDir, namespace);
    // The platform's settings win over the mesh file's: the ports are what it registers as the endpoint.
    this.proxy = new SupervisedProcess({
      ...opts.timing,
      name: `${namespace}/${name}/proxy`,
      command: opts.proxy.command,
      env: {
        ...opts.proxy.env,
        LOOM_PROXY_INBOUND_LISTEN_ADDR: `${LOCALHOST}:${ports.inbound}`,
        LOOM_PROXY_OUTBOUND_LISTEN_ADDR: `${LOCALHOST}:${ports.outbound}`,
        LOOM_PROXY_ADMIN_LISTEN_ADDR: `${LOCALHOST}:${ports.admin}`,
        LOOM_PROXY_TAP_LISTEN_ADDR: `${LOCALHOST}:${ports.tap}`,
        LOOM_PROXY_APP_ADDR: `${LOCALHOST}:${ports.app}`,
      },
      baseEnv: opts.baseEnv,
      cwd: opts.app.cwd,
      logFile: join(logs, `${name}.proxy.log`),
      ready: () => httpProbe(`http://${LOCALHOST}:${ports.admin}/ready`),
      fixHint: 'the proxy command comes from Loom itself: check the Loom installation',
    });
    this.app = new SupervisedProcess({
      ...opts.timing,
      name: `${namespace}/${name}/app`,
      command: opts.app.command,
      env: { ...opts.app.env, PORT: String(ports.app), LOOM_OUTBOUND: `${LOCALHOST}:${ports.outbound}` },
      baseEnv: opts.baseEnv,
      cwd: opts.app.cwd,
      logFile: join(logs, `${name}.app.log`),
      ready: () => tcpProbe(LOCALHOST, ports.app),
    });
    this.proxy.on('status', () => this.#update());
    this.app.on('status', () => this.#update());
  }

  get name(): string {
    return this.#opts.name;
  }

  /** Resolves once the app has been started (after its proxy became ready), or when stop() came first. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.proxy.start();
    this.#update();
    const proxyReady = await new Promise<boolean>((resolve) => {
      if (this.proxy.status === 'ready') return resolve(true);
      const onStatus = (status: ProcessStatus): void => {
        if (status === 'ready') done(true);
      };
      const done = (ready: boolean): void => {
        this.proxy.off('status', onStatus);
        this.#cancelWait = undefined;
        resolve(ready);
      };
      this.proxy.on('status', onStatus);
      this.#cancelWait = () => done(false);
    });
    if (proxyReady && this.#running) this.app.start();
  }

  /** Deregisters ('unready') first, then stops the app, then the proxy. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#cancelWait?.();
    this.#update();
    await this.app.stop();
    await this.proxy.stop();
    this.#update();
  }

  /** 'ready' only when both are ready; otherwise the most telling state of the two. */
  get status(): ProcessStatus {
    return this.#status;
  }

  get restarts(): number {
    return this.app.restarts + this.proxy.restarts;
  }

  describe(): ReplicaDescription {
    const { name, namespace, workload, ports } = this.#opts;
    const errors = [
      this.proxy.lastError === undefined ? undefined : `proxy: ${this.proxy.lastError}`,
      this.app.lastError === undefined ? undefined : `app: ${this.app.lastError}`,
    ].filter((error) => error !== undefined);
    return {
      name,
      namespace,
      workload,
      status: this.status,
      restarts: this.restarts,
      pids: { proxy: this.proxy.pid, app: this.app.pid },
      ports: { ...ports },
      lastError: errors.length === 0 ? undefined : errors.join('; '),
    };
  }

  #summarize(): ProcessStatus {
    if (!this.#running) return 'stopped';
    const both = [this.proxy.status, this.app.status];
    if (both.includes('crashed')) return 'crashed';
    if (both.includes('backoff')) return 'backoff';
    // An app still 'stopped' while running is one waiting for its proxy.
    if (both.includes('starting') || this.app.status === 'stopped') return 'starting';
    if (both.every((status) => status === 'ready')) return 'ready';
    return 'unready';
  }

  #update(): void {
    const status = this.#summarize();
    if (status !== this.#status) {
      this.#status = status;
      this.emit('status', status);
    }
    const ready = status === 'ready';
    if (ready !== this.#ready) {
      this.#ready = ready;
      this.emit(ready ? 'ready' : 'unready');
    }
  }
}
