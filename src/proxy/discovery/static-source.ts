// Discovery from a static table: LOOM_PROXY_DISCOVERY_FILE (watched and re-read on change) merged
// with LOOM_PROXY_DISCOVERY (inline, lines separated by ";").

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DiscoveryTableError } from './errors.js';
import { watchPath } from './file-watcher.js';
import { ListenerView } from './listener-view.js';
import { parseDiscoveryTable } from './static-table.js';
import type { Discovery, Endpoint, EndpointListener, Subscription } from './types.js';

export const INLINE_SOURCE = 'LOOM_PROXY_DISCOVERY';

export interface StaticDiscoveryOptions {
  /** The table file; read now (a bad table throws) and re-read whenever it changes. */
  file?: string;
  /** The inline table, lines separated by ";". */
  inline?: string;
  /** A reload failed (the last good table stays) or the watcher broke. Default: process.emitWarning. */
  onError?: (err: Error) => void;
  /** A changed file was applied and every listener has been updated. */
  onReload?: () => void;
}

export class StaticDiscovery implements Discovery {
  private readonly file: string | undefined;
  private readonly path: string | undefined;
  private readonly inlineTable: Map<string, Endpoint[]>;
  private readonly onError: (err: Error) => void;
  private readonly onReload: (() => void) | undefined;
  private readonly views = new Map<string, Set<ListenerView>>();
  private table: Map<string, Endpoint[]>;
  private fileText: string | undefined;
  private stopWatching: (() => void) | undefined;
  private closed = false;

  /** Throws DiscoveryTableError when the file cannot be read or either table is invalid. */
  constructor({ file, inline, onError, onReload }: StaticDiscoveryOptions = {}) {
    this.file = file === '' ? undefined : file;
    this.path = this.file === undefined ? undefined : resolve(this.file);
    this.onError = onError ?? ((err) => process.emitWarning(err));
    this.onReload = onReload;
    this.inlineTable = inline ? parseDiscoveryTable(inline.split(';').join('\n'), INLINE_SOURCE) : new Map();
    this.fileText = this.readFile();
    this.table = this.merge(this.fileText);
    if (this.path !== undefined) {
      this.stopWatching = watchPath(this.path, () => this.reload(), { onError: this.onError });
    }
  }

  watch(name: string, listener: EndpointListener): Subscription {
    const view = new ListenerView(listener);
    this.send(name, view);
    if (this.closed) return { unsubscribe: () => undefined };
    let set = this.views.get(name);
    if (!set) this.views.set(name, (set = new Set()));
    set.add(view);
    return {
      unsubscribe: () => {
        const current = this.views.get(name);
        current?.delete(view);
        if (current?.size === 0) this.views.delete(name);
      },
    };
  }

  close(): void {
    this.closed = true;
    this.stopWatching?.();
    this.stopWatching = undefined;
    this.views.clear();
  }

  private reload(): void {
    if (this.closed) return;
    let text: string | undefined;
    let table: Map<string, Endpoint[]>;
    try {
      text = this.readFile();
      if (text === this.fileText) return;
      table = this.merge(text);
    } catch (err) {
      this.onError(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.fileText = text;
    this.table = table;
    for (const [name, set] of this.views) {
      for (const view of [...set]) {
        try {
          this.send(name, view);
        } catch (err) {
          this.onError(err instanceof Error ? err : new Error(String(err)));
        }
      }
    }
    this.onReload?.();
  }

  private send(name: string, view: ListenerView): void {
    const endpoints = this.table.get(name);
    view.update(endpoints ?? [], endpoints !== undefined);
  }

  private readFile(): string | undefined {
    if (this.file === undefined || this.path === undefined) return undefined;
    try {
      return readFileSync(this.path, 'utf8');
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new DiscoveryTableError(this.file, undefined, `cannot read the table (${reason}); check LOOM_PROXY_DISCOVERY_FILE`, { cause: err });
    }
  }

  private merge(fileText: string | undefined): Map<string, Endpoint[]> {
    if (fileText === undefined || this.file === undefined) return this.inlineTable;
    const table = parseDiscoveryTable(fileText, this.file);
    for (const [name, endpoints] of this.inlineTable) {
      if (table.has(name)) {
        throw new DiscoveryTableError(this.file, undefined, `${name} is also declared in ${INLINE_SOURCE}; declare each name in one place`);
      }
      table.set(name, endpoints);
    }
    return table;
  }
}
