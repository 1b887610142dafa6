// `loom proxy`: runs the sidecar until SIGTERM/SIGINT or POST /shutdown, then drains and exits 0.
import type { Discovery } from '../proxy/discovery/types.js';
import { ConfigError, SETTINGS, formatAddr, loadProxyConfig, type ProxyConfig } from '../proxy/env.js';
import { createLogger, type Logger } from '../proxy/log.js';
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
    proxy = await Proxy.create(config, logger, await controlPlaneDiscovery(config, logger));
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

/** The Destination API client when a control plane is configured (loaded only then). */
async function controlPlaneDiscovery(config: ProxyConfig, logger: Logger): Promise<Discovery | undefined> {
  if (config.destinationAddr === undefined) return undefined;
  const { DestinationDiscovery } = await import('../proxy/discovery/destination-client.js');
  return new DestinationDiscovery({
    addr: formatAddr(config.destinationAddr),
    contextToken: config.destinationContext,
    dtabNamespace: config.dtabNamespace,
    onPolicyProblem: (name, problem) => logger.warn({ name, problem }, 'policy: the control plane sent something that does not validate; keeping the rest'),
    onError: (name, err) => logger.warn({ name, err: err.message }, 'discovery: stream failed; keeping last-known endpoints and reconnecting'),
  });
}
