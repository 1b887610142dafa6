// The error a mesh file that cannot be used throws: every problem found, each pointing at the field
// to fix as `file:line:column: Kind/name field.path: what is wrong; what to do`.

export interface MeshFileProblem {
  file: string;
  /** 1-based line and column of the offending YAML node; absent when the file itself is the problem. */
  line?: number;
  column?: number;
  /** `Kind/name` of the resource, `Kind (document N)` when it has no usable name. */
  resource?: string;
  /** `spec.ports[0].targetPort` */
  field?: string;
  /** `<what is wrong>; <what to do>` */
  message: string;
}

export function formatProblem(problem: MeshFileProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  const what = [problem.resource, problem.field].filter((part) => part !== undefined && part !== '').join(' ');
  return what === '' ? `${where}: ${problem.message}` : `${where}: ${what}: ${problem.message}`;
}

export class MeshFileError extends Error {
  readonly code = 'LOOM_ERR_MESH_FILE';
  override readonly name = 'MeshFileError';

  constructor(
    readonly file: string,
    /** Sorted by position. */
    readonly problems: readonly MeshFileProblem[],
    options?: { cause?: unknown },
  ) {
    super(problems.map(formatProblem).join('\n'), options);
  }

  /** One formatted line per problem. */
  get lines(): string[] {
    return this.problems.map(formatProblem);
  }
}
