// The local platform's store of applied resources (`loom apply`): one YAML file per resource under
// .loom/resources/<kind>/<namespace>/<name>.yaml, which the running mesh watches.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseResource, type Resource } from '../../resources/index.js';

export type ApplyResult = 'created' | 'configured' | 'unchanged';

export class ResourceStore {
  constructor(private readonly dir: string) {}

  apply(resource: Resource): ApplyResult {
    const namespace = 'namespace' in resource.metadata ? resource.metadata.namespace : 'default';
    const path = this.path(resource.kind, namespace, resource.metadata.name);
    const text = stringify(resource);
    const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (before === text) return 'unchanged';
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return before === undefined ? 'created' : 'configured';
  }

  /** Every stored resource of a kind; a file that no longer validates is skipped. */
  list(kind: Resource['kind']): Resource[] {
    const root = join(this.dir, kind.toLowerCase());
    if (!existsSync(root)) return [];
    const out: Resource[] = [];
    for (const ns of readdirSync(root)) {
      for (const file of readdirSync(join(root, ns))) {
        if (!file.endsWith('.yaml')) continue;
        const parsed = parseResource(parse(readFileSync(join(root, ns, file), 'utf8')));
        if (parsed.ok) out.push(parsed.resource);
      }
    }
    return out;
  }

  delete(kind: Resource['kind'], namespace: string, name: string): boolean {
    const path = this.path(kind, namespace, name);
    if (!existsSync(path)) return false;
    rmSync(path);
    return true;
  }

  /** Calls onChange (debounced) whenever anything in the store changes. */
  watch(onChange: () => void): () => void {
    mkdirSync(this.dir, { recursive: true });
    let timer: NodeJS.Timeout | undefined;
    const watcher = watch(this.dir, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, 50);
    });
    watcher.on('error', () => undefined);
    return () => {
      clearTimeout(timer);
      watcher.close();
    };
  }

  private path(kind: string, namespace: string, name: string): string {
    return join(this.dir, kind.toLowerCase(), namespace, `${name}.yaml`);
  }
}
