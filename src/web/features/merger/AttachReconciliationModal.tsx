import { Button, FileButton, Group, Modal, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { IconFileUpload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ReconcileReportSchema } from '../../../contracts/reconcile.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { notifySuccess } from '../../components/notify.js';
import { useAttachReconciliation } from './api.js';

/**
 * Attach the report of `khien reconcile` (src/contracts/reconcile.ts) to a task: upload its JSON file or paste
 * it. The report is checked here with the same schema the server uses; counts come from the report itself.
 */
export function AttachReconciliationModal({ taskId, taskTitle, onClose }: { taskId: string; taskTitle: string; onClose: () => void }) {
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
    <Modal opened onClose={onClose} title={t('merger.rec.attachTitle')} size="xl">
      <Stack data-testid="reconciliation-form">
        <Text size="sm">
          {t('merger.rec.forTask')}: <b>{taskTitle}</b>
        </Text>
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
    </Modal>
  );
}
