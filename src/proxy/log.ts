// Structured JSON logs on stderr. Writes are synchronous so the last lines before an exit are not lost.
import pino from 'pino';
import type { LogLevel } from './env.js';

export type Logger = pino.Logger;

export interface LoggerOptions {
  level: LogLevel;
  name?: string;
}

/** `destination` is for tests; the proxy logs to fd 2. Change the level later with `logger.level = ...`. */
export function createLogger(
  { level, name }: LoggerOptions,
  destination: pino.DestinationStream = pino.destination({ fd: 2, sync: true }),
): Logger {
  return pino(
    {
      level,
      ...(name === undefined ? {} : { name }),
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names read better than pino's numbers for people grepping sidecar logs.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
