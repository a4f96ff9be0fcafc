import { Button, FileButton, Group, Modal, SegmentedControl, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { IconFileSpreadsheet, IconFileUpload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Reconciliation } from '../../../contracts/merger.js';
import { ReconcileReportSchema } from '../../../contracts/reconcile.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { notifySuccess } from '../../components/notify.js';
import { useAttachReconciliation, useRunReconciliation } from './api.js';
import { ReconciliationView } from './ReconciliationView.js';

type Mode = 'compare' | 'report';
const EXPORT_TYPES = '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const names = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Attach a reconciliation result to a task, two ways: compare two exports (CSV/XLSX of the old and the new
 * system) on the server, or attach the report of `khien reconcile` (src/contracts/reconcile.ts) as JSON — a
 * file or pasted — checked here with the schema the server uses.
 */
export function AttachReconciliationModal({ taskId, taskTitle, onClose }: { taskId: string; taskTitle: string; onClose: () => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<Mode>('compare');
  const [result, setResult] = useState<Reconciliation | null>(null);

  return (
    <Modal opened onClose={onClose} title={t('merger.rec.attachTitle')} size="xl">
      <Stack data-testid="reconciliation-form">
        <Text size="sm">
          {t('merger.rec.forTask')}: <b>{taskTitle}</b>
        </Text>
        {result ? (
          <Stack data-testid="reconciliation-result">
            <Text size="sm" c="green.8">{t('merger.rec.compared')}</Text>
            <ReconciliationView rec={result} />
            <Group justify="flex-end">
              <Button onClick={onClose} data-testid="reconciliation-close">{t('common.done')}</Button>
            </Group>
          </Stack>
        ) : (
          <>
            <SegmentedControl
              value={mode}
              onChange={(v) => setMode(v as Mode)}
              data={[
                { value: 'compare', label: t('merger.rec.inputMode.compare') },
                { value: 'report', label: t('merger.rec.inputMode.report') },
              ]}
              data-testid="reconciliation-mode"
            />
            {mode === 'compare' ? <CompareExports taskId={taskId} onClose={onClose} onDone={setResult} /> : <AttachReport taskId={taskId} onClose={onClose} />}
          </>
        )}
      </Stack>
    </Modal>
  );
}

function ExportChooser({ label, file, onChange, testId }: { label: string; file: File | null; onChange: (f: File | null) => void; testId: string }) {
  const { t } = useTranslation();
  return (
    <Stack gap={4} style={{ flex: '1 1 260px' }}>
      <Text size="sm" fw={500}>{label}</Text>
      <Group gap="xs" wrap="nowrap">
        <FileButton onChange={onChange} accept={EXPORT_TYPES} inputProps={{ 'data-testid': `${testId}-input` } as React.ComponentProps<'input'>}>
          {(props) => (
            <Button {...props} variant="default" size="xs" leftSection={<IconFileSpreadsheet size={16} />} data-testid={testId}>
              {t('merger.rec.chooseExport')}
            </Button>
          )}
        </FileButton>
        <Text size="sm" c={file ? undefined : 'dimmed'} style={{ overflowWrap: 'anywhere' }} data-testid={`${testId}-name`}>
          {file ? file.name : t('merger.rec.noFile')}
        </Text>
      </Group>
    </Stack>
  );
}

/** Two exports + key and compared columns → POST …/reconciliations/run; the result is shown in place. */
function CompareExports({ taskId, onClose, onDone }: { taskId: string; onClose: () => void; onDone: (r: Reconciliation) => void }) {
  const { t } = useTranslation();
  const run = useRunReconciliation(taskId);
  const [source, setSource] = useState<File | null>(null);
  const [target, setTarget] = useState<File | null>(null);
  const [key, setKey] = useState('');
  const [columns, setColumns] = useState('');
  const [tried, setTried] = useState(false);
  const missingKey = names(key).length === 0;

  const submit = () => {
    setTried(true);
    if (!source || !target || missingKey) return;
    run.mutate(
      { source, target, key: names(key), columns: names(columns) },
      {
        onSuccess: (rec) => {
          notifySuccess(t('merger.rec.attached'));
          onDone(rec);
        },
      },
    );
  };

  return (
    <Stack data-testid="reconciliation-compare">
      <Text size="sm" c="dimmed">{t('merger.rec.compareHint')}</Text>
      <Group align="flex-start" wrap="wrap" gap="lg">
        <ExportChooser label={t('merger.rec.sourceExport')} file={source} onChange={setSource} testId="reconciliation-source" />
        <ExportChooser label={t('merger.rec.targetExport')} file={target} onChange={setTarget} testId="reconciliation-target" />
      </Group>
      {tried && (!source || !target) ? <Text c="red.7" size="sm" data-testid="reconciliation-problem">{t('merger.rec.needBothFiles')}</Text> : null}
      <Group grow align="flex-start">
        <TextInput label={t('merger.rec.keyColumns')} description={t('merger.rec.keyColumnsHint')} placeholder="ma_ho_so" value={key}
          onChange={(e) => setKey(e.currentTarget.value)} error={tried && missingKey ? t('merger.rec.needKey') : null} withAsterisk data-testid="reconciliation-key" />
        <TextInput label={t('merger.rec.comparedColumns')} description={t('merger.rec.comparedColumnsHint')} placeholder="ho_ten, ngay_sinh" value={columns}
          onChange={(e) => setColumns(e.currentTarget.value)} data-testid="reconciliation-columns" />
      </Group>
      <ErrorAlert error={run.error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
        <Button onClick={submit} loading={run.isPending} data-testid="reconciliation-run">{t('merger.rec.run')}</Button>
      </Group>
    </Stack>
  );
}

/** The report of `khien reconcile` as a JSON file or pasted text; counts come from the report itself. */
function AttachReport({ taskId, onClose }: { taskId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const attach = useAttachReconciliation(taskId);
  const [json, setJson] = useState('');
  const [source, setSource] = useState('');
  const [target, setTarget] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const readFile = async (file: File | null) => {
    if (file) setJson(await file.text());
  };
  const submit = () => {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      return setProblem(t('merger.rec.notJson'));
    }
    const parsed = ReconcileReportSchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return setProblem(t('merger.rec.notReport', { path: first?.path.join('.') || '—', message: first?.message ?? '' }));
    }
    setProblem(null);
    attach.mutate(
      { report: parsed.data, sourceDescription: source.trim() || undefined, targetDescription: target.trim() || undefined },
      {
        onSuccess: () => {
          notifySuccess(t('merger.rec.attached'));
          onClose();
        },
      },
    );
  };

  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t('merger.rec.attachHint')}
      </Text>
      <Group>
        <FileButton onChange={(f) => void readFile(f)} accept=".json,application/json">
          {(props) => (
            <Button {...props} variant="default" leftSection={<IconFileUpload size={16} />} data-testid="reconciliation-file">
              {t('merger.rec.chooseFile')}
            </Button>
          )}
        </FileButton>
      </Group>
      <Textarea
        label={t('merger.rec.reportJson')}
        autosize
        minRows={6}
        maxRows={14}
        styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
        value={json}
        onChange={(e) => setJson(e.currentTarget.value)}
        data-testid="reconciliation-json"
      />
      <Group grow>
        <TextInput label={t('merger.rec.sourceDescription')} description={t('merger.rec.descriptionHint')} value={source} onChange={(e) => setSource(e.currentTarget.value)} />
        <TextInput label={t('merger.rec.targetDescription')} description={t('merger.rec.descriptionHint')} value={target} onChange={(e) => setTarget(e.currentTarget.value)} />
      </Group>
      {problem ? (
        <Text c="red.7" size="sm" data-testid="reconciliation-problem">
          {problem}
        </Text>
      ) : null}
      <ErrorAlert error={attach.error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          {t('common.cancel')}
        </Button>
        <Button onClick={submit} loading={attach.isPending} disabled={!json.trim()} data-testid="reconciliation-submit">
          {t('merger.rec.attach')}
        </Button>
      </Group>
    </Stack>
  );
}
