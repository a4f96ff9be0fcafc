import { Badge, Button, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconAlertTriangle, IconCalendarTime } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { notifySuccess } from '../../components/notify.js';
import { useCreateWindow, useOutages, useRecordOutage, useUpdateOutage, useWindows } from './api.js';
import { formatVnDateTime, parseVnDateTime } from './labels.js';

function useDateTime(initial = '') {
  const [text, setText] = useState(initial);
  return { text, setText, iso: parseVnDateTime(text) };
}

/** A system's planned cut-overs (maintenance windows) and recorded stops; unplanned stops are flagged in red. */
export function WindowsOutages({ systemId, canWrite, canRecord }: { systemId: string; canWrite: boolean; canRecord: boolean }) {
  const { t } = useTranslation();
  const windows = useWindows(systemId);
  const outages = useOutages(systemId);
  const createWindow = useCreateWindow();
  const recordOutage = useRecordOutage();
  const updateOutage = useUpdateOutage();
  const [title, setTitle] = useState('');
  const wStart = useDateTime();
  const wEnd = useDateTime();
  const oStart = useDateTime();
  const oEnd = useDateTime();
  const [cause, setCause] = useState('');
  const [tried, setTried] = useState<'w' | 'o' | null>(null);
  const bad = (f: { text: string; iso: string | null }, required: boolean) =>
    (required && !f.text.trim()) || (f.text.trim() && !f.iso) ? t('merger.window.dateTimeFormat') : null;

  const addWindow = () => {
    setTried('w');
    if (title.trim().length < 2 || !wStart.iso || !wEnd.iso) return;
    createWindow.mutate(
      { systemId, title: title.trim(), startsAt: wStart.iso, endsAt: wEnd.iso },
      { onSuccess: () => { notifySuccess(t('merger.window.created')); setTitle(''); wStart.setText(''); wEnd.setText(''); setTried(null); } },
    );
  };
  const addOutage = () => {
    setTried('o');
    if (!oStart.iso || (oEnd.text.trim() && !oEnd.iso)) return;
    recordOutage.mutate(
      { systemId, startedAt: oStart.iso, endedAt: oEnd.iso, cause: cause.trim() || null },
      { onSuccess: () => { notifySuccess(t('merger.outage.recorded')); oStart.setText(''); oEnd.setText(''); setCause(''); setTried(null); } },
    );
  };

  return (
    <Stack gap="md">
      <Paper withBorder p="md" data-testid="windows">
        <Title order={5} mb="xs">
          {t('merger.window.title')}
        </Title>
        <ErrorAlert error={windows.error} />
        {windows.data && windows.data.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('merger.window.empty')}
          </Text>
        ) : (
          <Table fz="sm" withTableBorder verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('merger.window.name')}</Table.Th>
                <Table.Th w={170}>{t('merger.window.startsAt')}</Table.Th>
                <Table.Th w={170}>{t('merger.window.endsAt')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {windows.data?.map((w) => (
                <Table.Tr key={w.id} data-testid="window-row">
                  <Table.Td>{w.title}</Table.Td>
                  <Table.Td>{formatVnDateTime(w.startsAt)}</Table.Td>
                  <Table.Td>{formatVnDateTime(w.endsAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {canWrite ? (
          <Group align="flex-start" mt="sm" wrap="wrap" gap="xs">
            <TextInput label={t('merger.window.name')} value={title} onChange={(e) => setTitle(e.currentTarget.value)} style={{ flex: '1 1 240px' }}
              error={tried === 'w' && title.trim().length < 2 ? t('validation.required') : null} data-testid="window-title" />
            <TextInput label={t('merger.window.startsAt')} placeholder={t('merger.window.dateTimePlaceholder')} value={wStart.text} onChange={(e) => wStart.setText(e.currentTarget.value)} w={170}
              error={tried === 'w' ? bad(wStart, true) : null} data-testid="window-start" />
            <TextInput label={t('merger.window.endsAt')} placeholder={t('merger.window.dateTimePlaceholder')} value={wEnd.text} onChange={(e) => wEnd.setText(e.currentTarget.value)} w={170}
              error={tried === 'w' ? bad(wEnd, true) : null} data-testid="window-end" />
            <Button mt={25} leftSection={<IconCalendarTime size={16} />} onClick={addWindow} loading={createWindow.isPending} data-testid="window-submit">
              {t('merger.window.create')}
            </Button>
          </Group>
        ) : null}
        <ErrorAlert error={createWindow.error} />
      </Paper>

      <Paper withBorder p="md" data-testid="outages">
        <Title order={5} mb="xs">
          {t('merger.outage.title')}
        </Title>
        <ErrorAlert error={outages.error} />
        {outages.data && outages.data.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('merger.outage.empty')}
          </Text>
        ) : (
          <Table fz="sm" withTableBorder verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={170}>{t('merger.outage.startedAt')}</Table.Th>
                <Table.Th w={170}>{t('merger.outage.endedAt')}</Table.Th>
                <Table.Th>{t('merger.outage.cause')}</Table.Th>
                <Table.Th w={170}>{t('merger.outage.kind')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {outages.data?.map((o) => (
                <Table.Tr key={o.id} data-testid="outage-row" data-planned={o.planned} bg={o.planned ? undefined : 'red.0'}>
                  <Table.Td>{formatVnDateTime(o.startedAt)}</Table.Td>
                  <Table.Td>
                    {o.endedAt ? (
                      formatVnDateTime(o.endedAt)
                    ) : canRecord ? (
                      <Button size="compact-xs" variant="light" loading={updateOutage.isPending}
                        onClick={() => updateOutage.mutate({ id: o.id, endedAt: new Date().toISOString() })} data-testid="outage-end">
                        {t('merger.outage.endNow')}
                      </Button>
                    ) : (
                      t('merger.outage.ongoing')
                    )}
                  </Table.Td>
                  <Table.Td>{o.cause ?? '—'}</Table.Td>
                  <Table.Td>
                    {o.planned ? (
                      <Badge color="gray" variant="light">{t('merger.outage.planned')}</Badge>
                    ) : (
                      <Badge color="red" variant="filled" leftSection={<IconAlertTriangle size={12} />} style={{ maxWidth: 'none' }} styles={{ label: { overflow: 'visible' } }} data-testid="outage-unplanned">
                        {t('merger.outage.unplanned')}
                      </Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {canRecord ? (
          <Group align="flex-start" mt="sm" wrap="wrap" gap="xs">
            <TextInput label={t('merger.outage.startedAt')} placeholder={t('merger.window.dateTimePlaceholder')} value={oStart.text} onChange={(e) => oStart.setText(e.currentTarget.value)} w={170}
              error={tried === 'o' ? bad(oStart, true) : null} data-testid="outage-start" />
            <TextInput label={t('merger.outage.endedAt')} placeholder={t('merger.window.dateTimePlaceholder')} value={oEnd.text} onChange={(e) => oEnd.setText(e.currentTarget.value)} w={170}
              error={tried === 'o' ? bad(oEnd, false) : null} data-testid="outage-end-input" />
            <TextInput label={t('merger.outage.cause')} value={cause} onChange={(e) => setCause(e.currentTarget.value)} style={{ flex: '1 1 240px' }} data-testid="outage-cause" />
            <Button mt={25} color="red" variant="outline" onClick={addOutage} loading={recordOutage.isPending} data-testid="outage-submit">
              {t('merger.outage.record')}
            </Button>
          </Group>
        ) : null}
        <ErrorAlert error={recordOutage.error ?? updateOutage.error} />
      </Paper>
    </Stack>
  );
}
