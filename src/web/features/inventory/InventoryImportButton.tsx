import { Alert, Button, FileButton, Group, Modal, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportProblem } from '../../../contracts/common.js';
import { ApiError } from '../../components/api-client.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { importProblems } from '../../components/ImportErrors.js';
import { useImportInventory } from './api.js';

type SheetProblem = ImportProblem & { sheet?: string | null };

/** The server repeats "Tệp x.xlsx, trang Hệ thống, dòng 3, cột Y:" in the message; the table shows those apart. */
function withoutLocation(message: string): string {
  const stripped = message.replace(/^Tệp [^,]+(, trang [^,:]+)?(, dòng \d+)?(, cột [^:]+)?:\s*/i, '');
  return stripped ? stripped.charAt(0).toUpperCase() + stripped.slice(1) : message;
}

/** Upload the inventory workbook (sheets "Hệ thống" and "Tài sản"); a rejected file lists sheet, row and column. */
export function InventoryImportButton() {
  const { t } = useTranslation();
  const [opened, setOpened] = useState(false);
  const mutation = useImportInventory();
  const problems = importProblems(mutation.error) as SheetProblem[] | null;
  return (
    <>
      <Button variant="default" leftSection={<IconUpload size={16} />} onClick={() => { mutation.reset(); setOpened(true); }} data-testid="inventory-import-open">
        {t('import.button')}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={t('inventory.importTitle')} size="xl">
        <Stack>
          <Text size="sm" c="dimmed">
            {t('inventory.importHint')}
          </Text>
          <Group>
            <FileButton onChange={(f) => f && mutation.mutate(f)} accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">
              {(props) => (
                <Button {...props} loading={mutation.isPending} leftSection={<IconUpload size={16} />} data-testid="inventory-import-choose">
                  {t('inventory.importChoose')}
                </Button>
              )}
            </FileButton>
          </Group>
          {mutation.data ? (
            <Text c="green.8" data-testid="import-result">
              {t('inventory.importDone', {
                file: mutation.data.file,
                sc: mutation.data.systems.created, su: mutation.data.systems.updated,
                ac: mutation.data.assets.created, au: mutation.data.assets.updated,
              })}
            </Text>
          ) : null}
          {problems && mutation.error instanceof ApiError ? (
            <Alert color="red" variant="light" title={t('inventory.importInvalidTitle', { file: problems[0]?.file ?? '', count: problems.length })} data-testid="import-errors">
              <ScrollArea.Autosize mah={320}>
                <Table striped withTableBorder fz="sm" layout="fixed">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th w={90}>{t('inventory.importSheet')}</Table.Th>
                      <Table.Th w={220}>{t('import.location')}</Table.Th>
                      <Table.Th>{t('import.problem')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {problems.map((p, i) => (
                      <Table.Tr key={i} data-testid="import-error-row">
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{p.sheet ?? '—'}</Table.Td>
                        <Table.Td>
                          {p.column ? t('import.rowColumn', { row: p.row, column: p.column }) : t('import.row', { row: p.row })}
                        </Table.Td>
                        <Table.Td style={{ overflowWrap: 'anywhere' }}>{withoutLocation(p.message)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollArea.Autosize>
            </Alert>
          ) : (
            <ErrorAlert error={mutation.error} />
          )}
        </Stack>
      </Modal>
    </>
  );
}
