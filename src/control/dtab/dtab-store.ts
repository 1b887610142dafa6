// Named dtabs with versions, as namerd stores them: every write makes a new opaque version, and an
// update may name the version it read so two editors cannot silently overwrite each other.
import { createHash, randomBytes } from 'node:crypto';
import { dtabToString, type Dtab } from '../../routing/dtab/index.js';

export interface DtabEntry {
  readonly dtab: Dtab;
  /** The dtab in the dtab language, one dentry per line. */
  readonly text: string;
  readonly version: string;
}

/** Called after every write; `entry` is undefined when the namespace was deleted. */
export type DtabListener = (ns: string, entry: DtabEntry | undefined) => void;

export interface DtabStore {
  /** Namespace names, sorted. */
  list(): string[];
  get(ns: string): DtabEntry | undefined;
  /** Throws DtabExistsError when `ns` already has a dtab. */
  create(ns: string, dtab: Dtab): DtabEntry;
  /** Throws DtabNotFoundError, or DtabStaleVersionError when `ifMatch` is given and is not the current version. */
  update(ns: string, dtab: Dtab, ifMatch?: string): DtabEntry;
  /** Throws DtabNotFoundError. */
  delete(ns: string): void;
  /** Returns the function that stops the calls. */
  watch(listener: DtabListener): () => void;
}

export type DtabStoreErrorCode = 'exists' | 'not_found' | 'stale_version' | 'invalid_namespace';

export abstract class DtabStoreError extends Error {
  abstract readonly code: DtabStoreErrorCode;
}

export class DtabExistsError extends DtabStoreError {
  readonly code = 'exists';
  constructor(readonly namespace: string) {
    super(`namespace ${namespace} already has a dtab; update it instead, or delete it first`);
  }
}

export class DtabNotFoundError extends DtabStoreError {
  readonly code = 'not_found';
  constructor(readonly namespace: string) {
    super(`namespace ${namespace} has no dtab; create it first`);
  }
}

export class DtabStaleVersionError extends DtabStoreError {
  readonly code = 'stale_version';
  constructor(
    readonly namespace: string,
    readonly expected: string,
    readonly current: string,
  ) {
    super(`namespace ${namespace} changed since version ${expected} (now ${current}); read it again and retry`);
  }
}

export class InvalidNamespaceError extends DtabStoreError {
  readonly code = 'invalid_namespace';
  constructor(readonly namespace: string) {
    super(`${JSON.stringify(namespace.slice(0, 120))} is not a dtab namespace; use 1 to 100 letters, digits, '_', '.' or '-', e.g. default`);
  }
}

const NAMESPACE = /^[A-Za-z0-9_.-]{1,100}$/;

export function isValidNamespace(ns: string): boolean {
  return NAMESPACE.test(ns);
}

/** Throws InvalidNamespaceError unless `ns` is a namespace name. */
export function checkNamespace(ns: string): void {
  if (!isValidNamespace(ns)) throw new InvalidNamespaceError(ns);
}

/** The counter a version starts with, or 0 for a version this store did not make. */
export function versionCounter(version: string): number {
  const m = /^(\d+)-[0-9a-f]+$/.exec(version);
  return m ? Number(m[1]) : 0;
}

/** A store in memory; subclasses persist by overriding `persist`, which runs before the change is visible. */
export class MemoryDtabStore implements DtabStore {
  private readonly entries = new Map<string, DtabEntry>();
  private readonly listeners = new Set<DtabListener>();
  private counter = 0;
  // A counter alone could repeat after a restart that forgot a deleted namespace's last version.
  private readonly salt = randomBytes(8).toString('hex');

  /** `initial` entries keep their versions; new versions count on from the highest of them. */
  constructor(initial: Iterable<readonly [string, DtabEntry]> = []) {
    for (const [ns, entry] of initial) {
      checkNamespace(ns);
      this.entries.set(ns, entry);
      this.counter = Math.max(this.counter, versionCounter(entry.version));
    }
  }

  list(): string[] {
    return [...this.entries.keys()].sort();
  }

  get(ns: string): DtabEntry | undefined {
    return this.entries.get(ns);
  }

  create(ns: string, dtab: Dtab): DtabEntry {
    checkNamespace(ns);
    if (this.entries.has(ns)) throw new DtabExistsError(ns);
    return this.write(ns, dtab);
  }

  update(ns: string, dtab: Dtab, ifMatch?: string): DtabEntry {
    checkNamespace(ns);
    const current = this.entries.get(ns);
    if (current === undefined) throw new DtabNotFoundError(ns);
    if (ifMatch !== undefined && ifMatch !== current.version) throw new DtabStaleVersionError(ns, ifMatch, current.version);
    return this.write(ns, dtab);
  }

  delete(ns: string): void {
    checkNamespace(ns);
    if (!this.entries.has(ns)) throw new DtabNotFoundError(ns);
    this.persist(ns, undefined);
    this.entries.delete(ns);
    this.notify(ns, undefined);
  }

  watch(listener: DtabListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Writes `entry` (or removes the namespace when undefined) wherever the subclass keeps dtabs; throwing aborts the change. */
  protected persist(_ns: string, _entry: DtabEntry | undefined): void {}

  private write(ns: string, dtab: Dtab): DtabEntry {
    const text = dtabToString(dtab);
    const counter = this.counter + 1;
    const hash = createHash('sha256').update(`${this.salt}\n${ns}\n${counter}\n${text}`).digest('hex').slice(0, 8);
    const entry: DtabEntry = { dtab, text, version: `${counter}-${hash}` };
    this.persist(ns, entry);
    this.counter = counter;
    this.entries.set(ns, entry);
    this.notify(ns, entry);
    return entry;
  }

  private notify(ns: string, entry: DtabEntry | undefined): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(ns, entry);
      } catch {
        // The write has happened; a failing watcher is its own problem, not the writer's or other watchers'.
      }
    }
  }
}
