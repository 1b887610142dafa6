// `.loom/mesh.json`: where the running mesh's admin API is, so other `loom` commands can find it.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MeshState {
  pid: number;
  admin: string;
  controller: string;
  files: string[];
  /** Where later commands find the mesh's trust anchors (absent from meshes started before identity). */
  identity?: { trustDomain: string; anchorsFile: string; issuerCertFile: string };
}

export function writeMeshState(stateDir: string, state: MeshState): void {
  writeFileSync(join(stateDir, 'mesh.json'), `${JSON.stringify(state, null, 2)}\n`);
}

/** The running mesh, or undefined when none was started from this directory. */
export function readMeshState(stateDir: string): MeshState | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir, 'mesh.json'), 'utf8')) as MeshState;
  } catch {
    return undefined;
  }
}

export function clearMeshState(stateDir: string): void {
  rmSync(join(stateDir, 'mesh.json'), { force: true });
}
