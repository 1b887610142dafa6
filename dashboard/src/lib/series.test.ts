import { expect, test } from 'vitest';
import { Series } from './series.js';

test('points older than the span drop off; lines align on shared times with gaps as null', () => {
  const s = new Series(10_000);
  s.add('rps', 1_000, 1);
  s.add('rps', 6_000, 2);
  s.add('p99', 6_000, 30);
  s.add('rps', 12_000, 3);
  expect(s.names()).toEqual(['rps', 'p99']);
  expect(s.aligned(['rps', 'p99'])).toEqual([[6, 12], [2, 3], [30, null]]);
});
