import { DtabParseError } from './errors.js';
import { parseDtab } from './parser.js';
import type { Dtab, Result } from './types.js';

export const DTAB_HEADERS = ['loom-dtab', 'l5d-dtab'] as const;

/** Header values longer than this are refused rather than parsed on the request path. */
export const MAX_OVERRIDE_LENGTH = 8 * 1024;

/**
 * Appends the dentries of per-request override headers to `base`; being later, they win. Several
 * values apply in order. A malformed or oversized value is an error value, never an exception.
 */
export function applyDtabOverride(
  base: Dtab,
  header: string | readonly string[] | undefined,
  maxLength = MAX_OVERRIDE_LENGTH,
): Result<Dtab, DtabParseError> {
  if (header === undefined) return { ok: true, value: base };
  const values = typeof header === 'string' ? [header] : header;
  let dtab = base;
  for (const value of values) {
    if (value.length > maxLength) {
      return { ok: false, error: DtabParseError.at(value, maxLength, `expected a dtab override of at most ${maxLength} characters`) };
    }
    const parsed = parseDtab(value);
    if (!parsed.ok) return parsed;
    if (parsed.value.length > 0) dtab = dtab.concat(parsed.value);
  }
  return { ok: true, value: dtab };
}
