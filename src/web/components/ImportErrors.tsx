import { Alert, ScrollArea, Table } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ImportProblem } from '../../contracts/common.js';
import { ApiError } from './api-client.js';

/** The row-numbered problems of a rejected import (422 `import.invalid`), or null for other errors. */
export function importProblems(error: unknown): ImportProblem[] | null {
  if (!(error instanceof ApiError) || error.code !== 'import.invalid') return null;
  const details = error.details as { errors?: ImportProblem[] } | null;
  return Array.isArray(details?.errors) ? details.errors : [];
}

/** Messages may repeat "Tệp x.csv, dòng 3, cột cccd:", already shown in their own columns. */
function withoutLocation(message: string): string {
  const stripped = message.replace(/^Tệp [^,]+, dòng \d+(, cột [^:]+)?:\s*/i, '');
  return stripped ? stripped.charAt(0).toUpperCase() + stripped.slice(1) : message;
}

export function ImportErrors({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const problems = importProblems(error);
  if (!problems || !(error instanceof ApiError)) return null;
  return (
    <Alert color="red" variant="light" title={t('import.invalidTitle', { file: problems[0]?.file ?? '', count: problems.length })} data-testid="import-errors">
      <ScrollArea.Autosize mah={300}>
        <Table striped withTableBorder fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('import.file')}</Table.Th>
              <Table.Th>{t('import.location')}</Table.Th>
              <Table.Th>{t('import.problem')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {problems.map((p, i) => (
              <Table.Tr key={i} data-testid="import-error-row">
                <Table.Td>{p.file}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  {p.column ? t('import.rowColumn', { row: p.row, column: p.column }) : t('import.row', { row: p.row })}
                </Table.Td>
                <Table.Td>{withoutLocation(p.message)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
    </Alert>
  );
}
