// Runs Debian's Prometheus (/usr/bin/prometheus; .ci/run installs it) on a free loopback port with a
// throwaway TSDB, for tests of the metrics API's Prometheus backend.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../src/platform/local/free-port.js';
import { eventually } from './upstreams.js';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

export interface RunningPrometheus {
  /** Its base URL, e.g. http://127.0.0.1:40123. */
  url: string;
  /** Everything it logged so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts Prometheus with `configFile` and its data under `dir`; resolves once /-/ready answers 200. */
export async function startPrometheus(configFile: string, dir: string): Promise<RunningPrometheus> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(PROMETHEUS_BIN, [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'prometheus-data')}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${log}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200;
    }, 15_000, `prometheus on ${url} to be ready`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, log: () => log, stop };
}
