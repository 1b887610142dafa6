// Settings for the demo apps. Every demo reads its environment through these functions, so a bad
// or missing value always stops the process the same way: one line on stderr, exit code 2.
import { basename } from 'node:path';

export type Env = Record<string, string | undefined>;

// The demos are configured by their environment, like any container; this is the one place they read it.
// eslint-disable-next-line no-restricted-properties
const processEnv: Env = process.env;

/** Thrown for a bad setting; `exitOnBadSetting` turns it into the exit-2 line. */
export class SettingError extends Error {
  override name = 'SettingError';
}

/** The port to listen on, from PORT; required. 0 asks the kernel for a free one (the listening line says which). */
export function readPort(env: Env = processEnv): number {
  const raw = env['PORT'];
  if (raw === undefined || raw.trim() === '') throw new SettingError('PORT is required: the port to listen on, e.g. PORT=8080');
  return parsePort('PORT', raw);
}

/** The sidecar's outbound listener, from LOOM_OUTBOUND (default: the proxy's default 127.0.0.1:4140). */
export function readOutbound(env: Env = processEnv): string {
  return readAddr('LOOM_OUTBOUND', '127.0.0.1:4140', env);
}

export function readString(name: string, fallback: string, env: Env = processEnv): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/** A `host:port` value (a service name such as `emoji.emojivoto.svc:8080`, or an address). */
export function readAddr(name: string, fallback: string, env: Env = processEnv): string {
  const value = readString(name, fallback, env);
  const colon = value.lastIndexOf(':');
  if (colon <= 0) throw new SettingError(`${name} must be host:port, got '${value}'`);
  parsePort(name, value.slice(colon + 1));
  return value;
}

/** A service name with an optional port (`world.hello.svc` or `world.hello.svc:80`). */
export function readService(name: string, fallback: string, env: Env = processEnv): string {
  const value = readString(name, fallback, env);
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(value)) throw new SettingError(`${name} must be a service name such as ${fallback}, got '${value}'`);
  return value;
}

export function readInt(name: string, fallback: number, min: number, max: number, env: Env = processEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new SettingError(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  return n;
}

export function readChoice<T extends string>(name: string, choices: readonly T[], fallback: T, env: Env = processEnv): T {
  const raw = readString(name, fallback, env);
  const found = choices.find((c) => c === raw);
  if (found === undefined) throw new SettingError(`${name} must be one of ${choices.join(', ')}, got '${raw}'`);
  return found;
}

function parsePort(name: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n > 65535) throw new SettingError(`${name} must be a port number from 0 to 65535, got '${raw}'`);
  return n;
}

/** The demo's name for log lines: its file name without extension (`emoji`, `vote-bot`). */
export function demoName(): string {
  return basename(process.argv[1] ?? 'demo').replace(/\.[cm]?[jt]s$/, '');
}

/** Reads the settings with `read`; a SettingError becomes `<demo>: <message>` on stderr and exit code 2. */
export function settings<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof SettingError)) throw err;
    process.stderr.write(`${demoName()}: ${err.message}\n`);
    process.exit(2);
  }
}
