// `loom controller`: runs the control plane for the mesh whose state is in --state-dir (the local
// platform; `loom up` starts it). Stops on SIGTERM/SIGINT.
import { Controller } from '../control/controller.js';
import { LocalPlatformSource } from '../platform/local/local-source.js';
import type { CliIO } from './io.js';

export interface ControllerOptions {
  stateDir: string;
  port: number;
  adminPort: number;
}

export async function runController(opts: ControllerOptions, io: CliIO, signals: NodeJS.Process | null = process): Promise<number> {
  const controller = new Controller();
  try {
    const bound = await controller.start(opts.port, opts.adminPort, (c) => new LocalPlatformSource(opts.stateDir, c.index, c.profiles));
    io.out(`loom controller: Destination API on 127.0.0.1:${bound.grpc}, admin on 127.0.0.1:${bound.admin}, platform: local (${opts.stateDir})\n`);
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
