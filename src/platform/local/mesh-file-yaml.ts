// Splits a mesh file into YAML documents, keeping the node tree of each so a problem found in the
// plain data can point back at the line and column of the field it is about.

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { FieldPath } from '../../resources/index.js';

export interface Position {
  line: number;
  column: number;
}

export interface SyntaxProblem extends Position {
  message: string;
}

export class SourceDocument {
  constructor(
    /** 1-based position of the document in the file. */
    readonly index: number,
    /** The document as plain data; null or undefined for an empty document. */
    readonly value: unknown,
    private readonly document: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Where a field is written: its key or its value. A field that is absent (or empty) is located at
   * the nearest enclosing field that is written, so "missing" problems point at its parent.
   */
  locate(path: FieldPath, at: 'key' | 'value'): Position {
    let node: unknown = this.document.contents;
    let nearest = this.offsetOf(node) ?? 0;
    let keyOffset: number | undefined;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.document);
      keyOffset = undefined;
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (pair === undefined) return this.position(nearest);
        keyOffset = this.offsetOf(pair.key);
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
        node = node.items[segment];
      } else {
        return this.position(nearest);
      }
      nearest = keyOffset ?? this.offsetOf(node) ?? nearest;
    }
    // A scalar is located at its value; an empty value, a map or a list at its key, where it begins.
    const valueOffset = isScalar(node) && node.value !== null ? this.offsetOf(node) : undefined;
    return this.position(at === 'key' ? (keyOffset ?? nearest) : (valueOffset ?? keyOffset ?? nearest));
  }

  private offsetOf(node: unknown): number | undefined {
    if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
    const range = (node as { range?: [number, number, number] | null }).range;
    return range?.[0];
  }

  private position(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}

const HINTS: Partial<Record<string, string>> = {
  DUPLICATE_KEY: 'remove or rename one of the repeated keys',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
};

export interface ReadDocuments {
  documents: SourceDocument[];
  syntaxProblems: SyntaxProblem[];
  /** What could be read of each document with syntax errors (undefined where nothing could). */
  broken: unknown[];
}

/** Parses every document; documents with syntax errors are left out and their errors returned. */
export function readDocuments(text: string): ReadDocuments {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const documents: SourceDocument[] = [];
  const syntaxProblems: SyntaxProblem[] = [];
  const broken: unknown[] = [];
  const report = (offset: number, message: string) => {
    const { line, col } = lines.linePos(offset);
    syntaxProblems.push({ line, column: col, message });
  };
  if ('empty' in parsed) {
    for (const error of parsed.errors) report(error.pos[0], syntaxMessage(error.code, error.message));
    return { documents, syntaxProblems, broken };
  }
  parsed.forEach((document, i) => {
    if (document.errors.length > 0) {
      for (const error of document.errors) report(error.pos[0], syntaxMessage(error.code, error.message));
      broken.push(partialValue(document));
      return;
    }
    try {
      documents.push(new SourceDocument(i + 1, document.toJS(), document, lines));
    } catch (err) {
      // toJS refuses, e.g., alias expansion beyond its limit.
      report(document.contents?.range[0] ?? 0, syntaxMessage('', err instanceof Error ? err.message : String(err)));
      broken.push(undefined);
    }
  });
  return { documents, syntaxProblems, broken };
}

function partialValue(document: Document.Parsed): unknown {
  try {
    return document.toJS();
  } catch {
    return undefined;
  }
}

function syntaxMessage(code: string, message: string): string {
  return `YAML syntax error: ${message.replace(/\s+/g, ' ').trim()}; ${HINTS[code] ?? 'fix the YAML at this position'}`;
}
