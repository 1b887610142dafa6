// `loom proxy`: runs the sidecar until SIGTERM/SIGINT or POST /shutdown, then drains and exits 0.
import { ConfigError, SETTINGS, loadProxyConfig } from '../proxy/env.js';
import { createLogger } from '../proxy/log.js';
import { Proxy } from '../proxy/proxy.js';
import type { CliIO } from './io.js';

export function proxyHelp(): string {
  const width = Math.max(...SETTINGS.map((s) => s.name.length));
  const rows = SETTINGS.map((s) => `  ${s.name.padEnd(width)}  ${s.describe}\n  ${' '.repeat(width)}  default: ${s.default === '' ? '(none)' : s.default}`);
  return `Runs the Loom sidecar proxy. Configured only by environment variables:\n\n${rows.join('\n')}\n`;
}

/** Starts the proxy; resolves with its exit code (0 after a graceful shutdown, 2 for bad settings). */
export async function runProxy(io: CliIO, signals: NodeJS.Process | null = process): Promise<number> {
  let config;
  try {
    config = loadProxyConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`loom proxy: invalid setting ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, name: 'loom-proxy' });
  let proxy: Proxy;
  try {
    proxy = new Proxy(config, logger);
    await proxy.start();
  } catch (err) {
    io.err(`loom proxy: ${(err as Error).message}\n`);
    return 1;
  }
  const onSignal = (signal: string): void => {
    logger.info({ signal }, 'signal received');
    void proxy.shutdown();
  };
  signals?.once('SIGTERM', onSignal);
  signals?.once('SIGINT', onSignal);
  await proxy.closed;
  signals?.off('SIGTERM', onSignal);
  signals?.off('SIGINT', onSignal);
  return 0;
}
