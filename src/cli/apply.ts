// `loom apply -f file.yaml` / `loom delete <kind> <name>`: resources in the local platform's store,
// validated first; the running mesh picks changes up at once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeshFileError } from '../platform/local/mesh-file-error.js';
import { parseResources } from '../platform/local/mesh-file.js';
import { ResourceStore } from '../platform/local/resource-store.js';
import type { CliIO } from './io.js';

/** Kinds `loom apply` stores; workloads and Services come from the mesh files given to `loom up`. */
export const STORED_KINDS = ['ServiceProfile', 'HTTPRoute', 'GRPCRoute'] as const;

export function storeOf(stateDir: string): ResourceStore {
  return new ResourceStore(join(stateDir, 'resources'));
}

export async function runApply(files: string[], stateDir: string, io: CliIO): Promise<number> {
  const store = storeOf(stateDir);
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      io.err(`loom apply: cannot read ${file} (${(err as Error).message}); check the path given with -f\n`);
      return 2;
    }
    let resources;
    try {
      resources = parseResources(text, file);
    } catch (err) {
      if (!(err instanceof MeshFileError)) throw err;
      io.err(`loom apply: ${file} is not valid:\n${err.lines.map((l) => `  ${l}`).join('\n')}\n`);
      return 2;
    }
    const unsupported = resources.filter((r) => !(STORED_KINDS as readonly string[]).includes(r.kind));
    if (unsupported.length > 0) {
      const names = unsupported.map((r) => `${r.kind}/${r.metadata.name}`).join(', ');
      io.err(`loom apply: ${names}: declare workloads, Services and Namespaces in the mesh file given to \`loom up -f\`; \`loom apply\` takes ${STORED_KINDS.join(', ')}\n`);
      return 2;
    }
    for (const r of resources) io.out(`${r.kind.toLowerCase()}/${r.metadata.name} ${store.apply(r)}\n`);
  }
  return 0;
}

export async function runDelete(kind: string, name: string, namespace: string, stateDir: string, io: CliIO): Promise<number> {
  const stored = STORED_KINDS.find((k) => k.toLowerCase() === kind.toLowerCase().replace(/s$/, ''));
  if (!stored) {
    io.err(`loom delete: unknown kind "${kind}"; supported: ${STORED_KINDS.join(', ')}\n`);
    return 2;
  }
  if (!storeOf(stateDir).delete(stored, namespace, name)) {
    io.err(`loom delete: ${stored.toLowerCase()}/${name} not found in namespace ${namespace}; \`loom get ${stored.toLowerCase()}s\` lists them\n`);
    return 1;
  }
  io.out(`${stored.toLowerCase()}/${name} deleted\n`);
  return 0;
}
