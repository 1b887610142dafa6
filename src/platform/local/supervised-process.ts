// One long-running process of the local platform, kept alive the way a kubelet keeps a container alive:
// spawn, probe readiness, restart with exponential backoff on exit, stop with SIGTERM then SIGKILL.
import { EventEmitter } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export type ProcessStatus = 'starting' | 'ready' | 'unready' | 'backoff' | 'crashed' | 'stopped';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: Date;
}

export interface SupervisedProcessOptions {
  name: string;
  command: string[];
  /** Laid over `baseEnv`. */
  env: Record<string, string>;
  /** The environment the process inherits; the CLI passes process.env. */
  baseEnv?: Record<string, string | undefined>;
  cwd: string;
  /** stdout and stderr are appended here, raw. */
  logFile: string;
  /** Without a probe the process is ready once spawned. */
  ready?: () => Promise<boolean>;
  backoff?: { initialMs?: number; maxMs?: number; resetAfterMs?: number };
  stopGraceMs?: number;
  /** How often `ready()` is asked: while not (yet) ready, and while ready. */
  probeIntervalMs?: { notReady?: number; ready?: number };
  /** The second half of a spawn error's message: what the user should fix. */
  fixHint?: string;
}

const RECENT_LINES = 200;
const MAX_LINE_CHARS = 16 * 1024;
/** After the process exits, how long stop() waits for its output pipes to drain into the log. */
const DRAIN_MS = 500;

export class SupervisedProcess extends EventEmitter {
  readonly name: string;
  readonly #opts: SupervisedProcessOptions;
  readonly #backoff: { initialMs: number; maxMs: number; resetAfterMs: number };
  #child: ChildProcess | undefined;
  #status: ProcessStatus = 'stopped';
  #restarts = 0;
  #lastExit: ProcessExit | undefined;
  #lastError: string | undefined;
  #startedAt: Date | undefined;
  #nextDelayMs: number;
  #restartTimer: NodeJS.Timeout | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  /** Bumped on every spawn and exit, so probes and events of an earlier incarnation are ignored. */
  #generation = 0;
  #running = false;
  #stopping: Promise<void> | undefined;
  #log: WriteStream | undefined;
  readonly #lines: string[] = [];

  constructor(opts: SupervisedProcessOptions) {
    super();
    this.name = opts.name;
    this.#opts = opts;
    const { initialMs = 1000, maxMs = 30000, resetAfterMs = 10000 } = opts.backoff ?? {};
    this.#backoff = { initialMs, maxMs, resetAfterMs };
    this.#nextDelayMs = initialMs;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }
  get status(): ProcessStatus {
    return this.#status;
  }
  get restarts(): number {
    return this.#restarts;
  }
  get lastExit(): ProcessExit | undefined {
    return this.#lastExit;
  }
  /** Why the process last failed (spawn error or unexpected exit); cleared when it becomes ready. */
  get lastError(): string | undefined {
    return this.#lastError;
  }
  /** When the current (or last) incarnation spawned. */
  get startedAt(): Date | undefined {
    return this.#startedAt;
  }
  /** The last 200 lines of stdout and stderr, oldest first. */
  recentLines(): string[] {
    return [...this.#lines];
  }

  start(): void {
    if (this.#running) return;
    if (this.#stopping !== undefined && this.#status !== 'stopped') throw new Error(`${this.name}: start() while stopping`);
    this.#running = true;
    this.#stopping = undefined;
    this.#nextDelayMs = this.#backoff.initialMs;
    mkdirSync(dirname(this.#opts.logFile), { recursive: true });
    const log = createWriteStream(this.#opts.logFile, { flags: 'a' });
    log.on('error', (err) => (this.#lastError = `log file "${this.#opts.logFile}": ${err.message}`));
    this.#log = log;
    this.#spawn();
  }

  /** SIGTERM, then SIGKILL after stopGraceMs; resolves once the process has exited. Never restarts it. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#restartTimer);
    clearTimeout(this.#probeTimer);
    const child = this.#child;
    if (child !== undefined && child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => signalGroup(child, 'SIGKILL'), this.#opts.stopGraceMs ?? 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        signalGroup(child, 'SIGTERM');
      });
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, DRAIN_MS))]);
    }
    const log = this.#log;
    this.#log = undefined;
    if (log !== undefined) await new Promise<void>((resolve) => log.end(resolve));
    this.#setStatus('stopped');
  }

  #spawn(): void {
    const generation = ++this.#generation;
    const [file, ...args] = this.#opts.command;
    if (file === undefined || file === '') {
      this.#failed(`command is empty: ${this.#fixHint()}`, 'crashed');
      return;
    }
    this.#setStatus('starting');
    let child: ChildProcess;
    try {
      // detached: the process leads its own group, so signals reach its children too (npm start, sh -c),
      // and a Ctrl-C on `loom up` reaches only Loom, which then stops app before proxy.
      child = spawn(file, args, {
        cwd: this.#opts.cwd,
        env: { ...this.#opts.baseEnv, ...this.#opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (err) {
      this.#failed(this.#spawnErrorMessage(file, err), 'crashed');
      return;
    }
    this.#child = child;
    this.#pipeOutput(child);
    child.once('spawn', () => {
      this.#startedAt = new Date();
      this.#probe(generation);
    });
    child.once('error', (err) => {
      // An error after a successful spawn is a failed kill(); the 'exit' that follows does the rest.
      if (generation !== this.#generation || child.pid !== undefined) return;
      this.#child = undefined;
      this.#generation++;
      if (this.#running) this.#failed(this.#spawnErrorMessage(file, err), 'crashed');
    });
    child.once('exit', (code, signal) => {
      if (generation !== this.#generation) return;
      this.#generation++;
      clearTimeout(this.#probeTimer);
      this.#lastExit = { code, signal, at: new Date() };
      // Whatever the process left behind in its group would hold its ports against the restart.
      if (child.pid !== undefined) signalGroup(child, 'SIGKILL');
      if (!this.#running) return;
      this.#failed(signal === null ? `exited with code ${code}` : `killed by ${signal}`, 'backoff');
    });
  }

  #probe(generation: number): void {
    const ready = this.#opts.ready;
    if (ready === undefined) {
      this.#becameReady();
      return;
    }
    const { notReady = 200, ready: whileReady = 1000 } = this.#opts.probeIntervalMs ?? {};
    const tick = async (): Promise<void> => {
      const ok = await ready().catch(() => false);
      if (generation !== this.#generation || !this.#running) return;
      if (ok) this.#becameReady();
      else if (this.#status === 'ready') this.#setStatus('unready');
      this.#probeTimer = setTimeout(() => void tick(), ok ? whileReady : notReady);
    };
    void tick();
  }

  #becameReady(): void {
    this.#lastError = undefined;
    this.#setStatus('ready');
  }

  /** Record why, wait out the backoff, spawn again. */
  #failed(error: string, status: 'backoff' | 'crashed'): void {
    this.#lastError = error;
    const upMs = this.#startedAt === undefined || status === 'crashed' ? 0 : Date.now() - this.#startedAt.getTime();
    if (upMs >= this.#backoff.resetAfterMs) this.#nextDelayMs = this.#backoff.initialMs;
    const delayMs = this.#nextDelayMs;
    this.#nextDelayMs = Math.min(delayMs * 2, this.#backoff.maxMs);
    this.#setStatus(status);
    this.#restartTimer = setTimeout(() => {
      this.#restarts++;
      this.#spawn();
    }, delayMs);
  }

  #spawnErrorMessage(file: string, err: unknown): string {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !existsSync(this.#opts.cwd)) {
      return `working directory "${this.#opts.cwd}" does not exist: ${this.#fixHint()}`;
    }
    if (code === 'ENOENT') return `command "${file}" not found: ${this.#fixHint()}`;
    if (code === 'EACCES') return `command "${file}" is not executable: ${this.#fixHint()}`;
    return `command "${file}" could not start (${err instanceof Error ? err.message : String(err)}): ${this.#fixHint()}`;
  }

  #fixHint(): string {
    return this.#opts.fixHint ?? "check the workload's command in the mesh file";
  }

  #pipeOutput(child: ChildProcess): void {
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      const decoder = new StringDecoder('utf8');
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        if (this.#log?.writable === true) this.#log.write(chunk);
        const lines = (partial + decoder.write(chunk)).split('\n');
        partial = lines.pop() ?? '';
        // A line that never ends still shows up, in pieces, rather than growing without bound.
        if (partial.length > MAX_LINE_CHARS) {
          lines.push(partial);
          partial = '';
        }
        this.#remember(lines);
      });
      stream.on('end', () => {
        const rest = partial + decoder.end();
        if (rest !== '') this.#remember([rest]);
      });
    }
  }

  #remember(lines: string[]): void {
    for (const line of lines) this.#lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (this.#lines.length > RECENT_LINES) this.#lines.splice(0, this.#lines.length - RECENT_LINES);
  }

  #setStatus(status: ProcessStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.emit('status', status);
  }
}

/** Signal the process's whole group; fall back to the process alone where groups are unavailable. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
