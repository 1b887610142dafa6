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

test('history arriving after live points slots in by time, and never pushes the newest out', () => {
  const s = new Series(10_000);
  s.add('rps', 20_000, 5);
  for (const [t, v] of [[8_000, 1], [12_000, 2], [16_000, 3]] as const) s.add('rps', t, v);
  expect(s.aligned(['rps'])).toEqual([[12, 16, 20], [2, 3, 5]]);
});
