/** The table of a settings list: a header cell per column, a row per item, and what to show when there is none. */
import type { ReactNode } from 'react';
import { Table, Tbody, Th, Thead, Tr, Typography } from '@strapi/design-system';

interface ListTableProps<T> {
  columns: string[];
  rows: T[];
  /** Shown instead of the table when `rows` is empty (usually an EmptyStateLayout). */
  empty?: ReactNode;
  /** One `<Tr key=…>` for a row. */
  children(row: T, index: number): ReactNode;
}

export function ListTable<T>({ columns, rows, empty, children }: ListTableProps<T>) {
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>;
  return (
    <Table colCount={columns.length} rowCount={rows.length + 1}>
      <Thead>
        <Tr>
          {columns.map((column) => (
            <Th key={column}>
              <Typography variant="sigma">{column}</Typography>
            </Th>
          ))}
        </Tr>
      </Thead>
      <Tbody>{rows.map((row, index) => children(row, index))}</Tbody>
    </Table>
  );
}
