// Turns zod issues into resource problems: a field path and a message that says what is wrong and
// what to do. Field schemas that know better set their own message (fields.ts); this covers the rest.

import type { z } from 'zod';
import { ALLOWED_FIELDS_PREFIX } from './fields.js';

export type FieldPath = (string | number)[];

export interface ResourceProblem {
  /** Path of the offending field from the document root, e.g. ['spec', 'ports', 0, 'port']. */
  path: FieldPath;
  /** Whether the problem is with the field's key (unknown field, bad map key) or with its value. */
  at: 'key' | 'value';
  /** `<what is wrong>; <what to do>` */
  message: string;
}

type Issue = z.core.$ZodIssue;

export function describeIssues(issues: readonly Issue[]): ResourceProblem[] {
  return issues.flatMap((issue) => describeIssue(issue, toPath(issue.path)));
}

function describeIssue(issue: Issue, path: FieldPath): ResourceProblem[] {
  if (issue.code !== 'unrecognized_keys' && !isGeneric(issue.message)) {
    return [{ path, at: issue.code === 'invalid_key' ? 'key' : 'value', message: issue.message }];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], at: 'key', message: unknownField(key, issue.message) }));
    case 'invalid_key':
      return issue.issues.map((inner) => ({ path, at: 'key', message: inner.message }));
    case 'invalid_type':
      return [{ path, at: 'value', message: wrongType(issue.expected, issue.input, path) }];
    case 'invalid_value':
      return [{ path, at: 'value', message: `${JSON.stringify(issue.input)} is not allowed; use ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}` }];
    case 'too_small':
      return [{ path, at: 'value', message: tooSmall(issue) }];
    default:
      return [{ path, at: 'value', message: issue.message }];
  }
}

function toPath(path: readonly PropertyKey[]): FieldPath {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

function unknownField(key: string, allowedMessage: string): string {
  if (!allowedMessage.startsWith(ALLOWED_FIELDS_PREFIX)) return `unknown field "${key}"; remove it`;
  const allowed = allowedMessage.slice(ALLOWED_FIELDS_PREFIX.length).split(', ');
  const near = closest(key, allowed);
  const hint = near === undefined ? '' : `did you mean "${near}"? `;
  return `unknown field "${key}"; ${hint}remove it or use one of: ${allowed.join(', ')}`;
}

const NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a map',
  record: 'a map',
  array: 'a list',
  tuple: 'a list',
};

function wrongType(expected: string, input: unknown, path: FieldPath): string {
  const want = NOUNS[expected] ?? expected;
  const field = path.at(-1);
  if (input === undefined) {
    return typeof field === 'string' ? `required field is missing; add ${field}: <${want}>` : `missing; add ${want}`;
  }
  const got = describeValue(input);
  if (expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) {
    return `expected a string, got ${got}; quote it: "${String(input)}"`;
  }
  if ((expected === 'number' || expected === 'int') && typeof input === 'string' && input.trim() !== '' && !Number.isNaN(Number(input))) {
    return `expected a number, got the string ${JSON.stringify(input)}; write it without quotes`;
  }
  return `expected ${want}, got ${got}; write ${want}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}

// Zod's own (English) messages start like this; ours never do.
function isGeneric(message: string): boolean {
  return /^(Invalid|Too (big|small)|Unrecognized)/.test(message);
}

function tooSmall(issue: z.core.$ZodIssueTooSmall): string {
  const min = Number(issue.minimum);
  if (issue.origin === 'array') return `needs at least ${min} item${min === 1 ? '' : 's'}; add ${min === 1 ? 'one' : 'more'}`;
  if (issue.origin === 'string') return 'must not be empty; write a value';
  return `${String(issue.input)} is too small; use ${min} or more`;
}

/** The candidate within two edits of `word` (ignoring case), for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  return candidates.find((candidate) => editDistance(candidate.toLowerCase(), word.toLowerCase()) <= 2);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
