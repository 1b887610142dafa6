// Errors of the static discovery source: a table that cannot be read or parsed.

export class DiscoveryTableError extends Error {
  readonly code = 'LOOM_ERR_DISCOVERY_TABLE';
  override readonly name = 'DiscoveryTableError';

  constructor(
    /** Where the table came from: the file path as configured, or LOOM_PROXY_DISCOVERY. */
    readonly source: string,
    /** 1-based line (entry, for the inline table), when the problem is on one line. */
    readonly line: number | undefined,
    /** What is wrong and what to write instead. */
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(line === undefined ? `${source}: ${problem}` : `${source}:${line}: ${problem}`, options);
  }
}
