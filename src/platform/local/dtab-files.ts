// The local platform's dtab store: `<dir>/<ns>.json` holding {"dtab": text, "version": v} per
// namespace, read once at start and rewritten by the controller (the only writer) on every change.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isValidNamespace, MemoryDtabStore, type DtabEntry } from '../../control/dtab/dtab-store.js';
import { parseDtab } from '../../routing/dtab/index.js';

const SUFFIX = '.json';

/** A dtab file that cannot be loaded; the controller refuses to start rather than forget a namespace. */
export class DtabFileError extends Error {
  readonly code = 'LOOM_ERR_DTAB_FILE';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`dtab file ${path} ${problem}; fix it (it holds {"dtab": "<dtab text>", "version": "<version>"}) or remove it`);
  }
}

export class FileDtabStore extends MemoryDtabStore {
  constructor(private readonly dir: string) {
    super(loadDtabFiles(dir));
  }

  protected override persist(ns: string, entry: DtabEntry | undefined): void {
    const path = join(this.dir, `${ns}${SUFFIX}`);
    if (entry === undefined) {
      rmSync(path, { force: true });
      return;
    }
    // Write beside, then rename over: a crash leaves the old file or the new one, never half of one.
    const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = openSync(temp, 'w', 0o644);
    try {
      writeSync(fd, `${JSON.stringify({ dtab: entry.text, version: entry.version }, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(temp, path);
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
  }
}

/** Every `<ns>.json` under `dir` (created if missing); temporary files of an interrupted write are ignored. */
export function loadDtabFiles(dir: string): Array<[string, DtabEntry]> {
  mkdirSync(dir, { recursive: true });
  const entries: Array<[string, DtabEntry]> = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(SUFFIX)) continue;
    const ns = file.slice(0, -SUFFIX.length);
    const path = join(dir, file);
    if (!isValidNamespace(ns)) throw new DtabFileError(path, `is not named after a namespace (letters, digits, '_', '.' or '-')`);
    entries.push([ns, readDtabFile(path)]);
  }
  return entries;
}

function readDtabFile(path: string): DtabEntry {
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DtabFileError(path, `is not JSON (${(err as Error).message})`);
  }
  const { dtab: text, version } = (stored ?? {}) as { dtab?: unknown; version?: unknown };
  if (typeof text !== 'string' || typeof version !== 'string' || version === '') throw new DtabFileError(path, 'lacks a string "dtab" or "version"');
  const parsed = parseDtab(text);
  if (!parsed.ok) throw new DtabFileError(path, `holds an invalid dtab: ${parsed.error.message}`);
  return { dtab: parsed.value, text, version };
}
