import { Button, FileButton, Group, Modal, Stack, Text } from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import type { UseMutationResult } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportResult } from '../../contracts/common.js';
import { ErrorAlert } from './ErrorAlert.js';
import { ImportErrors, importProblems } from './ImportErrors.js';

/** Upload a CSV/XLSX file; shows the counts on success or the row-numbered problems on rejection. */
export function ImportButton({
  mutation,
  title,
  hint,
  testId,
}: {
  mutation: UseMutationResult<ImportResult, Error, File>;
  title: string;
  hint: string;
  testId: string;
}) {
  const { t } = useTranslation();
  const [opened, setOpened] = useState(false);
  return (
    <>
      <Button variant="default" leftSection={<IconUpload size={16} />} onClick={() => { mutation.reset(); setOpened(true); }} data-testid={`${testId}-open`}>
        {t('import.button')}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={title} size="xl">
        <Stack>
          <Text size="sm" c="dimmed">
            {hint}
          </Text>
          <Group>
            <FileButton onChange={(f) => f && mutation.mutate(f)} accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">
              {(props) => (
                <Button {...props} loading={mutation.isPending} leftSection={<IconUpload size={16} />} data-testid={`${testId}-choose`}>
                  {t('import.choose')}
                </Button>
              )}
            </FileButton>
          </Group>
          {mutation.data ? (
            <Text c="green.8" data-testid="import-result">
              {t('import.done', mutation.data)}
            </Text>
          ) : null}
          {importProblems(mutation.error) ? <ImportErrors error={mutation.error} /> : <ErrorAlert error={mutation.error} />}
        </Stack>
      </Modal>
    </>
  );
}
