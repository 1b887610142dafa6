// `loom controller`: runs the control plane for the mesh whose state is in --state-dir (the local
// platform; `loom up` starts it). Stops on SIGTERM/SIGINT.
import { Controller, type IdentityConfig } from '../control/controller.js';
import { loadIssuerFiles, loadTokenReviewerFile } from '../control/identity/issuer-files.js';
import { LocalPlatformSource } from '../platform/local/local-source.js';
import type { CliIO } from './io.js';

export interface ControllerIdentityOptions {
  trustDomain: string;
  anchorsFile?: string;
  issuerCertFile?: string;
  issuerKeyFile?: string;
  tokenKeyFile?: string;
  lifetimeMs: number;
}

export interface ControllerOptions {
  stateDir: string;
  port: number;
  adminPort: number;
  identity?: ControllerIdentityOptions;
  /** How often the metrics API scrapes the proxies. */
  scrapeIntervalMs?: number;
  /** Answer `loom stat` from this Prometheus (base URL) instead of scraping the proxies. */
  prometheusUrl?: string;
  /** The user's Grafana (base URL), for the dashboard to link to. */
  grafanaUrl?: string;
}

const IDENTITY_FLAGS = {
  anchorsFile: '--identity-trust-anchors-file',
  issuerCertFile: '--identity-issuer-certificate-file',
  issuerKeyFile: '--identity-issuer-key-file',
  tokenKeyFile: '--identity-token-key-file',
} as const;

class UsageError extends Error {}

/** The Identity API's configuration when every identity file is given, undefined when none is. */
async function identityConfig(opts: ControllerIdentityOptions | undefined): Promise<IdentityConfig | undefined> {
  if (!opts) return undefined;
  const missing = Object.entries(IDENTITY_FLAGS).filter(([key]) => opts[key as keyof typeof IDENTITY_FLAGS] === undefined).map(([, flag]) => flag);
  if (missing.length === Object.keys(IDENTITY_FLAGS).length) return undefined;
  if (missing.length > 0) throw new UsageError(`serving identity needs ${Object.values(IDENTITY_FLAGS).join(', ')} together; missing: ${missing.join(', ')}`);
  const { trustDomain } = opts;
  const files = { anchorsFile: opts.anchorsFile as string, issuerCertFile: opts.issuerCertFile as string, issuerKeyFile: opts.issuerKeyFile as string };
  const issuer = await loadIssuerFiles(files, trustDomain);
  return { issuer, reviewer: loadTokenReviewerFile(opts.tokenKeyFile as string, trustDomain), trustDomain, lifetimeMs: opts.lifetimeMs };
}

export async function runController(opts: ControllerOptions, io: CliIO, signals: NodeJS.Process | null = process): Promise<number> {
  let identity: IdentityConfig | undefined;
  try {
    identity = await identityConfig(opts.identity);
  } catch (err) {
    io.err(`loom controller: ${(err as Error).message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
  const controller = new Controller(identity, { scrapeIntervalMs: opts.scrapeIntervalMs, prometheusUrl: opts.prometheusUrl, grafanaUrl: opts.grafanaUrl });
  try {
    const bound = await controller.start(opts.port, opts.adminPort, (c) => new LocalPlatformSource(opts.stateDir, c.index, c.policies));
    const apis = identity ? `Destination and Identity APIs (trust domain ${identity.trustDomain}, issuer valid until ${identity.issuer.issuerNotAfter.toISOString()})` : 'Destination API';
    io.out(`loom controller: ${apis} on 127.0.0.1:${bound.grpc}, admin on 127.0.0.1:${bound.admin}, platform: local (${opts.stateDir}), metrics: ${controller.metricsBackend ?? 'none'}\n`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? '; stop what uses the port or choose another with --port/--admin-port' : '';
    io.err(`loom controller: ${(err as Error).message}${hint}\n`);
    await controller.stop();
    return 1;
  }
  await new Promise<void>((resolve) => {
    signals?.once('SIGTERM', () => resolve());
    signals?.once('SIGINT', () => resolve());
  });
  await controller.stop();
  return 0;
}
