import { DtabParseError } from './errors.js';
import type { Dentry, Dtab, NameTree, Path, Prefix, Result, Weighted } from './types.js';
import { ANY_SEGMENT } from './types.js';

// Grammar (Finagle's NameTree.read/Dtab.read; `&` binds tighter than `|`):
//   dtab     ::= [ dentry { ';' dentry } [ ';' ] ]
//   dentry   ::= prefix '=>' tree
//   tree     ::= union { '|' union }
//   union    ::= weighted { '&' weighted }
//   weighted ::= [ weight '*' ] simple          weight ::= [0-9]* '.'? [0-9]+
//   simple   ::= '(' tree ')' | path | '!' | '~' | '$'
//   path     ::= '/' | { '/' segment }+         segment ::= [A-Za-z0-9_.:#$%-]+  (prefix: or '*')
// Whitespace separates tokens; '#' at the start of a token comments out the rest of the line.

const MAX_NESTING = 64; // parentheses deeper than this are an error, not a stack overflow

const SIMPLE = "expected a path, '!', '~', '$' or '('";
const WEIGHT_OR_SIMPLE = "expected a path, '!', '~', '$', '(' or a weight";

function isSegmentChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
    c === 0x5f || c === 0x2e || c === 0x3a || c === 0x23 || c === 0x24 || c === 0x25 || c === 0x2d
  );
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

class DtabParser {
  private pos = 0;
  private nesting = 0;

  constructor(private readonly src: string) {}

  private error(expected: string, at = this.pos): DtabParseError {
    return DtabParseError.at(this.src, at, expected);
  }

  private skipSpace(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else if (c === 0x23) {
        while (this.pos < s.length && s.charCodeAt(this.pos) !== 0x0a) this.pos++;
      } else break;
    }
  }

  /** Skips whitespace, then consumes `token` if it is next. */
  private eat(token: string): boolean {
    this.skipSpace();
    if (!this.src.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  expectEnd(what: string): void {
    this.skipSpace();
    if (this.pos < this.src.length) throw this.error(`expected ${what} or end of input`);
  }

  dtab(): Dtab {
    const dentries: Dentry[] = [];
    this.skipSpace();
    if (this.pos >= this.src.length) return dentries;
    dentries.push(this.dentry());
    while (this.eat(';')) {
      this.skipSpace();
      if (this.pos >= this.src.length) break;
      dentries.push(this.dentry());
    }
    this.expectEnd("'|', '&', ';'");
    return dentries;
  }

  dentry(): Dentry {
    const prefix = this.path(true);
    if (!this.eat('=>')) throw this.error("expected '=>'");
    return { prefix, tree: this.tree() };
  }

  tree(): NameTree<Path> {
    const first = this.union();
    if (!this.eat('|')) return first;
    const trees = [first, this.union()];
    while (this.eat('|')) trees.push(this.union());
    return { kind: 'alt', trees };
  }

  private union(): NameTree<Path> {
    const first = this.weighted();
    if (!this.eat('&')) return first.explicit ? { kind: 'union', members: [first.member] } : first.member.tree;
    const members: Weighted<Path>[] = [first.member, this.weighted().member];
    while (this.eat('&')) members.push(this.weighted().member);
    return { kind: 'union', members };
  }

  private weighted(): { member: Weighted<Path>; explicit: boolean } {
    this.skipSpace();
    const c = this.src.charCodeAt(this.pos);
    if (!isDigit(c) && c !== 0x2e) return { member: { weight: 1, tree: this.simple(WEIGHT_OR_SIMPLE) }, explicit: false };
    const start = this.pos;
    while (isDigit(this.src.charCodeAt(this.pos))) this.pos++;
    if (this.src.charCodeAt(this.pos) === 0x2e) {
      this.pos++;
      if (!isDigit(this.src.charCodeAt(this.pos))) throw this.error('expected a digit after the decimal point');
      while (isDigit(this.src.charCodeAt(this.pos))) this.pos++;
    }
    const weight = Number(this.src.slice(start, this.pos));
    if (!Number.isFinite(weight)) throw this.error('expected a finite weight', start);
    if (!this.eat('*')) throw this.error("expected '*' after the weight");
    return { member: { weight, tree: this.simple(SIMPLE) }, explicit: true };
  }

  private simple(expected: string): NameTree<Path> {
    this.skipSpace();
    const c = this.src[this.pos];
    switch (c) {
      case '/':
        return { kind: 'leaf', value: this.path(false) };
      case '!':
        this.pos++;
        return { kind: 'fail' };
      case '~':
        this.pos++;
        return { kind: 'neg' };
      case '$':
        this.pos++;
        return { kind: 'empty' };
      case '(': {
        if (this.nesting >= MAX_NESTING) throw this.error(`expected at most ${MAX_NESTING} nested parentheses`);
        this.pos++;
        this.nesting++;
        const inner = this.tree();
        this.nesting--;
        if (!this.eat(')')) throw this.error("expected ')'");
        return inner;
      }
      default:
        throw this.error(expected);
    }
  }

  path(isPrefix: boolean): Path | Prefix {
    this.skipSpace();
    if (this.src[this.pos] !== '/') throw this.error(isPrefix ? "expected a path prefix starting with '/'" : "expected a path starting with '/'");
    this.pos++;
    const segments: string[] = [];
    if (!this.startsSegment(isPrefix)) return segments;
    segments.push(this.segment(isPrefix));
    while (this.src[this.pos] === '/') {
      this.pos++;
      if (!this.startsSegment(isPrefix)) throw this.error(isPrefix ? "expected a path segment or '*'" : 'expected a path segment');
      segments.push(this.segment(isPrefix));
    }
    return segments;
  }

  private startsSegment(isPrefix: boolean): boolean {
    const c = this.src.charCodeAt(this.pos);
    return isSegmentChar(c) || (isPrefix && c === 0x2a);
  }

  private segment(isPrefix: boolean): string {
    const start = this.pos;
    if (isPrefix && this.src[this.pos] === ANY_SEGMENT) {
      this.pos++;
      if (isSegmentChar(this.src.charCodeAt(this.pos))) throw this.error("expected '*' to be a whole segment");
      return ANY_SEGMENT;
    }
    while (isSegmentChar(this.src.charCodeAt(this.pos))) this.pos++;
    return this.src.slice(start, this.pos);
  }
}

function attempt<T>(read: () => T): Result<T, DtabParseError> {
  try {
    return { ok: true, value: read() };
  } catch (err) {
    if (err instanceof DtabParseError) return { ok: false, error: err };
    throw err;
  }
}

export function parseDtab(source: string): Result<Dtab, DtabParseError> {
  return attempt(() => new DtabParser(source).dtab());
}

export function parseDentry(source: string): Result<Dentry, DtabParseError> {
  return attempt(() => {
    const p = new DtabParser(source);
    const d = p.dentry();
    p.expectEnd("'|' or '&'");
    return d;
  });
}

export function parseNameTree(source: string): Result<NameTree<Path>, DtabParseError> {
  return attempt(() => {
    const p = new DtabParser(source);
    const t = p.tree();
    p.expectEnd("'|' or '&'");
    return t;
  });
}

export function parsePath(source: string): Result<Path, DtabParseError> {
  return attempt(() => {
    const p = new DtabParser(source);
    const path = p.path(false);
    p.expectEnd("'/'");
    return path;
  });
}

/** Like parseDtab, but throws the DtabParseError. */
export function readDtab(source: string): Dtab {
  const r = parseDtab(source);
  if (!r.ok) throw r.error;
  return r.value;
}
