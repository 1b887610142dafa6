// A table whose headers sort it; rows whose success rate is failing are marked so they stand out.
import { useState, type ReactNode } from 'react';
import { nextSort, sortRows, type SortState, type SortValue } from '../lib/sort.js';

export interface Column<T> {
  key: string;
  title: string;
  value: (row: T) => SortValue;
  render?: (row: T) => ReactNode;
  numeric?: boolean;
  /** The first click sorts this way; numbers biggest first unless set (a success rate wants the worst first). */
  firstDescending?: boolean;
}

interface Props<T> {
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  rowClass?: (row: T) => string | undefined;
  initial?: SortState;
  empty?: ReactNode;
  testId?: string;
}

export function SortableTable<T>({ columns, rows, rowKey, rowClass, initial, empty, testId }: Props<T>) {
  const [sort, setSort] = useState<SortState>(initial ?? { column: columns[0]?.key ?? '', descending: false });
  const column = columns.find((c) => c.key === sort.column) ?? columns[0];
  const sorted = column ? sortRows(rows, column.value, sort.descending) : [...rows];
  return (
    <table className="table" data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.key} className={c.numeric ? 'num' : undefined} aria-sort={sort.column === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
              <button type="button" onClick={() => setSort(nextSort(sort, c.key, c.firstDescending ?? c.numeric === true))}>
                {c.title}
                <span className="sort-mark">{sort.column === c.key ? (sort.descending ? '▼' : '▲') : ''}</span>
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.length === 0 ? (
          <tr>
            <td colSpan={columns.length} className="empty">
              {empty ?? 'nothing yet'}
            </td>
          </tr>
        ) : (
          sorted.map((row) => (
            <tr key={rowKey(row)} className={rowClass?.(row)}>
              {columns.map((c) => (
                <td key={c.key} className={c.numeric ? 'num' : undefined}>
                  {c.render ? c.render(row) : String(c.value(row) ?? '-')}
                </td>
              ))}
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
