// Sortable tables: a column's value per row, undefined (no data) always last whichever the direction.
export type SortValue = string | number | undefined;

export interface SortState {
  column: string;
  descending: boolean;
}

export function sortRows<T>(rows: readonly T[], value: (row: T) => SortValue, descending: boolean): T[] {
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return descending ? -order : order;
  });
}

/** Clicking the sorted column flips it; another column sorts by it in its first direction (numbers biggest first, success rates worst first). */
export function nextSort(current: SortState, column: string, firstDescending: boolean): SortState {
  if (current.column === column) return { column, descending: !current.descending };
  return { column, descending: firstDescending };
}
