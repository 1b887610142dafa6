/** A dtab, dentry, name tree or path that does not parse; positions are 0-based offset, 1-based line and column. */
export class DtabParseError extends Error {
  readonly code = 'LOOM_ERR_DTAB_PARSE';
  override readonly name = 'DtabParseError';

  constructor(
    readonly expected: string,
    readonly found: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${expected} at line ${line}, column ${column} (offset ${offset}), found ${found}`);
  }

  static at(source: string, offset: number, expected: string): DtabParseError {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < source.length; i++) {
      if (source.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    const ch = source[offset];
    const found = ch === undefined ? 'end of input' : JSON.stringify(ch);
    return new DtabParseError(expected, found, offset, line, offset - lineStart + 1);
  }
}
