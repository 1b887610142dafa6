// Checks across the documents of a mesh file, and the local platform's own rules: names declared
// once, namespaces and service accounts declared before use, Services that select a Deployment and
// target a port it has, and a command to run for every Deployment.

import {
  formatLabels,
  matchesSelector,
  type DeploymentResource,
  type FieldPath,
  type Resource,
  type ServiceResource,
} from '../../resources/index.js';
import type { SourceDocument } from './mesh-file-yaml.js';

export interface Declared<R extends Resource = Resource> {
  resource: R;
  document: SourceDocument;
}

/** What can be read of a document that failed validation; absent fields could not be read. */
export interface Unparsed {
  kind?: string;
  namespace?: string;
  name?: string;
}

export type Report = (declared: Declared, path: FieldPath, message: string, at?: 'key' | 'value') => void;

const CONTAINER: FieldPath = ['spec', 'template', 'spec', 'containers', 0];

export function checkMeshFile(declared: readonly Declared[], unparsed: readonly Unparsed[], report: Report): void {
  const unique = withoutDuplicates(declared, report);
  const mightDeclare = mightBeDeclaredBy(unparsed);
  checkNamespaces(unique, mightDeclare, report);
  const deployments = unique.filter((d): d is Declared<DeploymentResource> => d.resource.kind === 'Deployment');
  checkDeployments(unique, deployments, mightDeclare, report);
  const services = unique.filter((d): d is Declared<ServiceResource> => d.resource.kind === 'Service');
  checkServices(services, deployments, mightDeclare, report);
}

type MightDeclare = (kind: string, namespace: string | undefined, name?: string) => boolean;

// A document that failed validation may be the one a reference points at: stay quiet about those
// references rather than report errors that go away when that document is fixed.
function mightBeDeclaredBy(unparsed: readonly Unparsed[]): MightDeclare {
  return (kind, namespace, name) =>
    unparsed.some(
      (u) =>
        u.kind === undefined ||
        (u.kind === kind &&
          (namespace === undefined || u.namespace === undefined || u.namespace === namespace) &&
          (name === undefined || u.name === undefined || u.name === name)),
    );
}

/** Reports every repeat of a kind, namespace and name; returns the first of each. */
function withoutDuplicates(declared: readonly Declared[], report: Report): Declared[] {
  const seen = new Map<string, Declared>();
  const unique: Declared[] = [];
  for (const entry of declared) {
    const { kind, metadata } = entry.resource;
    const namespace = 'namespace' in metadata ? metadata.namespace : '';
    const key = `${kind}/${namespace}/${metadata.name}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, entry);
      unique.push(entry);
      continue;
    }
    const { line } = first.document.locate(['metadata', 'name'], 'value');
    const qualified = namespace === '' ? metadata.name : `${namespace}/${metadata.name}`;
    report(entry, ['metadata', 'name'], `${kind} ${qualified} is already declared on line ${line}; rename one or remove it`);
  }
  return unique;
}

function checkNamespaces(unique: readonly Declared[], mightDeclare: MightDeclare, report: Report): void {
  const namespaces = new Set(['default']);
  for (const { resource } of unique) if (resource.kind === 'Namespace') namespaces.add(resource.metadata.name);
  for (const entry of unique) {
    const { metadata } = entry.resource;
    if (!('namespace' in metadata) || namespaces.has(metadata.namespace)) continue;
    if (mightDeclare('Namespace', undefined, metadata.namespace)) continue;
    report(entry, ['metadata', 'namespace'], `namespace "${metadata.namespace}" is not declared in this file; add a Namespace document with metadata.name: ${metadata.namespace}`);
  }
}

function checkDeployments(
  unique: readonly Declared[],
  deployments: readonly Declared<DeploymentResource>[],
  mightDeclare: MightDeclare,
  report: Report,
): void {
  const serviceAccounts = new Set<string>();
  for (const { resource } of unique) {
    if (resource.kind === 'ServiceAccount') serviceAccounts.add(`${resource.metadata.namespace}/${resource.metadata.name}`);
  }
  for (const entry of deployments) {
    const { metadata, spec } = entry.resource;
    const account = spec.template.spec.serviceAccountName;
    if (account !== 'default' && !serviceAccounts.has(`${metadata.namespace}/${account}`) && !mightDeclare('ServiceAccount', metadata.namespace, account)) {
      report(
        entry,
        ['spec', 'template', 'spec', 'serviceAccountName'],
        `ServiceAccount "${account}" is not declared in namespace "${metadata.namespace}"; add a ServiceAccount document for it, or remove serviceAccountName to use "default"`,
      );
    }
    if (spec.template.spec.containers[0].command === undefined) {
      report(
        entry,
        [...CONTAINER, 'command'],
        'is required on the local platform, which runs it from the repository root (image is ignored); add command, e.g. ["node", "server.js"]',
      );
    }
  }
}

function checkServices(
  services: readonly Declared<ServiceResource>[],
  deployments: readonly Declared<DeploymentResource>[],
  mightDeclare: MightDeclare,
  report: Report,
): void {
  // Each replica listens on the one port the platform gives it in $PORT, so every Service port that
  // reaches a Deployment must target the same container port.
  const targeted = new Map<Declared<DeploymentResource>, { port: number; by: string }>();
  for (const entry of services) {
    const { metadata, spec } = entry.resource;
    const selected = deployments.filter(
      (d) => d.resource.metadata.namespace === metadata.namespace && matchesSelector(spec.selector, d.resource.spec.template.metadata.labels),
    );
    if (selected.length === 0 && !mightDeclare('Deployment', metadata.namespace)) {
      report(
        entry,
        ['spec', 'selector'],
        `selects no workload (no Deployment in namespace "${metadata.namespace}" has the template labels ${formatLabels(spec.selector)}); check spec.selector`,
      );
    }
    spec.ports.forEach((port, i) => {
      const path: FieldPath = ['spec', 'ports', i, 'targetPort'];
      for (const deployment of selected) {
        const [container] = deployment.resource.spec.template.spec.containers;
        const target =
          typeof port.targetPort === 'number' ? port.targetPort : container.ports.find((p) => p.name === port.targetPort)?.containerPort;
        const workload = `Deployment/${deployment.resource.metadata.name}`;
        if (target === undefined) {
          report(entry, path, `${workload} has no container port named "${port.targetPort}"; name one of its containerPorts "${port.targetPort}" or use a port number`);
          continue;
        }
        const by = `Service/${metadata.name} spec.ports[${i}]`;
        const earlier = targeted.get(deployment);
        if (earlier === undefined) targeted.set(deployment, { port: target, by });
        else if (earlier.port !== target) {
          report(
            entry,
            path,
            `targets port ${target} of ${workload}, which ${earlier.by} targets on port ${earlier.port}; the local platform gives each replica a single port ($PORT): target one container port from every Service port`,
          );
        }
      }
    });
  }
}

/** Reads what it can of a document that failed validation. */
export function identify(value: unknown): Unparsed {
  if (typeof value !== 'object' || value === null) return {};
  const { kind, metadata } = value as { kind?: unknown; metadata?: unknown };
  const meta = typeof metadata === 'object' && metadata !== null ? (metadata as { name?: unknown; namespace?: unknown }) : {};
  const namespace = meta.namespace === undefined ? 'default' : meta.namespace;
  return {
    ...(typeof kind === 'string' && { kind }),
    ...(typeof namespace === 'string' && { namespace }),
    ...(typeof meta.name === 'string' && meta.name !== '' && { name: meta.name }),
  };
}
