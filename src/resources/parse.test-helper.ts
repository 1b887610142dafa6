// parseResource for the resource tests: the problems of a document that must be rejected, or the
// resource of one that must be accepted.
import assert from 'node:assert/strict';
import { parseResource, type Resource, type ResourceProblem } from './index.js';

export function problems(document: unknown): ResourceProblem[] {
  const result = parseResource(document);
  assert.ok(!result.ok, 'expected the resource to be rejected');
  return result.problems;
}

export function accepted<K extends Resource['kind']>(document: unknown, kind: K): Extract<Resource, { kind: K }> {
  const result = parseResource(document);
  assert.ok(result.ok, `expected the resource to be accepted: ${JSON.stringify(!result.ok && result.problems)}`);
  assert.equal(result.resource.kind, kind);
  return result.resource as Extract<Resource, { kind: K }>;
}
