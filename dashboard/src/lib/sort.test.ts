import { expect, test } from 'vitest';
import { nextSort, sortRows } from './sort.js';

const rows = [{ n: 'b', v: 2 }, { n: 'a', v: undefined }, { n: 'c', v: 10 }];

test('numbers sort by value and no data goes last either way', () => {
  expect(sortRows(rows, (r) => r.v, true).map((r) => r.n)).toEqual(['c', 'b', 'a']);
  expect(sortRows(rows, (r) => r.v, false).map((r) => r.n)).toEqual(['b', 'c', 'a']);
  expect(sortRows(rows, (r) => r.n, false).map((r) => r.n)).toEqual(['a', 'b', 'c']);
});

test('a click on the sorted column flips it; a new numeric column starts biggest first', () => {
  expect(nextSort({ column: 'name', descending: false }, 'name', false)).toEqual({ column: 'name', descending: true });
  expect(nextSort({ column: 'name', descending: false }, 'rps', true)).toEqual({ column: 'rps', descending: true });
  expect(nextSort({ column: 'rps', descending: true }, 'success', false)).toEqual({ column: 'success', descending: false });
});
