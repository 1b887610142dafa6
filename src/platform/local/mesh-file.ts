// The mesh file `loom up -f mesh.yaml` reads: Kubernetes-shaped multi-document YAML with Namespaces,
// ServiceAccounts, Services and Deployments. Every problem is collected and thrown at once as a
// MeshFileError whose lines point at the field to fix. MESH-FILE.md describes the format.

import { readFileSync } from 'node:fs';
import {
  parseResource,
  type ContainerResource,
  type DeploymentResource,
  type FieldPath,
  type NamespaceResource,
  type Resource,
  type ResourceProblem,
  type ServiceAccountResource,
  type ServiceResource,
} from '../../resources/index.js';
import { checkMeshFile, identify, type Declared, type Unparsed } from './mesh-file-checks.js';
import { MeshFileError, type MeshFileProblem } from './mesh-file-error.js';
import { readDocuments, type SourceDocument } from './mesh-file-yaml.js';

/** A Deployment as the local platform runs it: its one container always has a command. */
export type LocalDeployment = DeploymentResource & {
  spec: { template: { spec: { containers: [ContainerResource & { command: string[] }] } } };
};

/** The resources of a mesh file, in file order, with defaults applied. */
export interface MeshFile {
  namespaces: NamespaceResource[];
  serviceAccounts: ServiceAccountResource[];
  services: ServiceResource[];
  deployments: LocalDeployment[];
}

/** Reads and parses a mesh file; a file that cannot be read is a MeshFileError too. */
export function loadMeshFile(path: string): MeshFile {
  return loadMeshFiles([path]);
}

/** Several files read as one mesh (`loom up -f a.yaml -f b.yaml`): each may refer to the others. */
export function loadMeshFiles(paths: readonly string[]): MeshFile {
  const sources = paths.map((path) => {
    try {
      return { file: path, text: readFileSync(path, 'utf8') };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new MeshFileError(path, [{ file: path, message: `cannot read the mesh file (${reason}); check the path given with -f` }], { cause: err });
    }
  });
  return parseMeshFiles(sources);
}

export function parseMeshFile(text: string, file: string): MeshFile {
  return parseMeshFiles([{ file, text }]);
}

export function parseMeshFiles(sources: readonly { file: string; text: string }[]): MeshFile {
  const problems: MeshFileProblem[] = [];
  const declared: Declared[] = [];
  const unparsed: Unparsed[] = [];
  const fileOf = new Map<SourceDocument, string>();

  for (const { file, text } of sources) {
    const { documents, syntaxProblems, broken } = readDocuments(text);
    problems.push(...syntaxProblems.map((p) => ({ file, ...p })));
    unparsed.push(...broken.map(identify));
    let resources = 0;
    for (const document of documents) {
      if (document.value === null || document.value === undefined) continue; // an empty document, e.g. after a trailing ---
      fileOf.set(document, file);
      const parsed = parseResource(document.value);
      if (parsed.ok) {
        declared.push({ resource: parsed.resource, document });
        resources++;
      } else {
        const resource = describeDocument(document);
        problems.push(...parsed.problems.map((p) => toProblem(file, document, resource, p)));
        unparsed.push(identify(document.value));
      }
    }
    if (syntaxProblems.length === 0 && resources === 0 && !problems.some((p) => p.file === file)) {
      problems.push({ file, line: 1, column: 1, message: 'has no resources; add Namespace, ServiceAccount, Service and Deployment documents (see MESH-FILE.md)' });
    }
  }

  checkMeshFile(declared, unparsed, ({ resource, document }, path, message, at = 'value') => {
    const name = `${resource.kind}/${resource.metadata.name}`;
    problems.push(toProblem(fileOf.get(document) ?? '', document, name, { path, at, message }));
  });
  if (problems.length > 0) throw new MeshFileError(sources.map((s) => s.file).join(', '), sortByPosition(problems));

  const pick = <K extends string>(kind: K) =>
    declared.map((d) => d.resource).filter((r): r is Extract<typeof r, { kind: K }> => r.kind === kind);
  return {
    namespaces: pick('Namespace'),
    serviceAccounts: pick('ServiceAccount'),
    services: pick('Service'),
    deployments: pick('Deployment') as LocalDeployment[],
  };
}

/**
 * Resources from one file without the mesh's cross-checks (`loom apply -f`): each document valid on
 * its own, or a MeshFileError with every problem's position.
 */
export function parseResources(text: string, file: string): Resource[] {
  const { documents, syntaxProblems } = readDocuments(text);
  const problems: MeshFileProblem[] = syntaxProblems.map((p) => ({ file, ...p }));
  const resources: Resource[] = [];
  for (const document of documents) {
    if (document.value === null || document.value === undefined) continue;
    const parsed = parseResource(document.value);
    if (parsed.ok) resources.push(parsed.resource);
    else problems.push(...parsed.problems.map((p) => toProblem(file, document, describeDocument(document), p)));
  }
  if (problems.length > 0) throw new MeshFileError(file, sortByPosition(problems));
  return resources;
}

function toProblem(file: string, document: SourceDocument, resource: string, problem: ResourceProblem): MeshFileProblem {
  const { line, column } = document.locate(problem.path, problem.at);
  return { file, line, column, resource, field: formatPath(problem.path), message: problem.message };
}

/** `Kind/name` when both can be read, else `Kind (document N)` or `document N`. */
function describeDocument(document: SourceDocument): string {
  const { kind, name } = identify(document.value);
  if (kind === undefined) return `document ${document.index}`;
  return name === undefined ? `${kind} (document ${document.index})` : `${kind}/${name}`;
}

/** `spec.ports[0].targetPort`; keys that are not plain words are quoted: `labels["app.kubernetes.io/name"]`. */
export function formatPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

// Array sort is stable: problems at the same position keep the order they were found in.
function sortByPosition(problems: MeshFileProblem[]): MeshFileProblem[] {
  const files = [...new Set(problems.map((p) => p.file))];
  return [...problems].sort(
    (a, b) => files.indexOf(a.file) - files.indexOf(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}
