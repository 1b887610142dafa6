// Follows the mesh files of a running mesh: each saved change is parsed again and handed on whole, or,
// when the files no longer validate, the problems are, and the mesh keeps running as it was.
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { loadMeshFiles, type MeshFile } from './mesh-file.js';
import { MeshFileError } from './mesh-file-error.js';

export interface MeshFileWatcherOptions {
  files: readonly string[];
  onChange: (mesh: MeshFile) => void;
  /** One line per problem, as `file:line:column: ...`. */
  onInvalid: (problems: string[]) => void;
  /** How often the files' modification times are polled. */
  intervalMs?: number;
}

export class MeshFileWatcher {
  private timer: NodeJS.Timeout | undefined;
  private readonly listener = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size) return;
    // One save can touch several files, or a file twice: read them once it settles.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), 100);
  };

  constructor(private readonly opts: MeshFileWatcherOptions) {}

  /** Polls rather than fs.watch: editors that save by renaming a new file over the old one are followed too. */
  start(): void {
    for (const file of this.opts.files) watchFile(file, { interval: this.opts.intervalMs ?? 500, persistent: false }, this.listener);
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const file of this.opts.files) unwatchFile(file, this.listener);
  }

  private reload(): void {
    let mesh: MeshFile;
    try {
      mesh = loadMeshFiles(this.opts.files);
    } catch (err) {
      // Runs from a timer: nothing may escape to crash the running mesh.
      return this.opts.onInvalid(err instanceof MeshFileError ? err.lines : [String(err)]);
    }
    this.opts.onChange(mesh);
  }
}
