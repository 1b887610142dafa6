// Notices changes to one file, including editors that save by renaming a new file over it.

import { type FSWatcher, type Stats, unwatchFile, watch, watchFile } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface FileWatchOptions {
  /** Quiet time after the last event before onChange runs: one save fires several events. */
  debounceMs?: number;
  /** Stat polling interval, the safety net where inotify sees nothing (network and some container mounts). */
  pollMs?: number;
  /** The directory watcher failed; polling carries on alone. */
  onError?: (err: Error) => void;
}

/**
 * Calls onChange (debounced) whenever `path` may have changed, and once right after starting;
 * returns a function that stops watching.
 */
export function watchPath(path: string, onChange: () => void, options: FileWatchOptions = {}): () => void {
  const { debounceMs = 50, pollMs = 1000, onError } = options;
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const schedule = (): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onChange();
    }, debounceMs);
  };

  // The directory, not the file: a rename-over replaces the inode a file watch would follow.
  let dirWatcher: FSWatcher | undefined;
  try {
    dirWatcher = watch(dirname(path), (_event, filename) => {
      if (filename === null || filename === name) schedule();
    });
    dirWatcher.on('error', (err) => {
      dirWatcher?.close();
      dirWatcher = undefined;
      onError?.(err);
    });
  } catch (err) {
    onError?.(err instanceof Error ? err : new Error(String(err)));
  }

  const poll = (curr: Stats, prev: Stats): void => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.ino !== prev.ino || curr.size !== prev.size) schedule();
  };
  watchFile(path, { interval: pollMs }, poll);
  // One check once armed: a change between the caller's first read and the watchers starting (or
  // before the poller's first stat, its baseline) would otherwise wait for the next edit.
  schedule();

  return () => {
    closed = true;
    clearTimeout(timer);
    dirWatcher?.close();
    unwatchFile(path, poll);
  };
}
