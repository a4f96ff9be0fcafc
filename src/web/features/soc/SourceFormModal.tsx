import { Button, Group, Modal, Select, SimpleGrid, Stack, Switch, TagsInput, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SOC_SOURCE_KINDS, type SocSource, type SocSourceCreate } from '../../../contracts/soc.js';
import { notifyError, notifySuccess } from '../../components/notify.js';
import { useSystemPicker } from '../inventory/useSystemPicker.js';
import { useOrgUnits } from '../org-units/api.js';
import { useCreateSource, useUpdateSource } from './api.js';

/**
 * Create or edit a log source. The switch "carries access logs" declares that the source's syslog messages may hold
 * access-log records of its system (khienAccess@32473 or a JSON khienAccess body; docs/architecture.md "Access-log
 * records over syslog"): it needs a system, so it is offered only once one is chosen (the server refuses it too).
 * Kind and unit are fixed once created (a new key or another unit means a new source).
 */
export function SourceFormModal({ source, onClose, onCreated }: { source?: SocSource; onClose: () => void; onCreated?: (apiKey: string | null) => void }) {
  const { t } = useTranslation();
  const units = useOrgUnits(false);
  const create = useCreateSource();
  const update = useUpdateSource(source?.id ?? '');
  const [name, setName] = useState(source?.name ?? '');
  const [kind, setKind] = useState<SocSourceCreate['kind']>(source?.kind ?? 'syslog');
  const [unitId, setUnitId] = useState<string | null>(source?.unitId ?? null);
  const [systemId, setSystemId] = useState<string | null>(source?.systemId ?? null);
  const [hosts, setHosts] = useState<string[]>(source?.hosts ?? []);
  const [accessLog, setAccessLog] = useState(source?.accessLog ?? false);
  const [enabled, setEnabled] = useState(source?.enabled ?? true);
  const [tried, setTried] = useState(false);
  const picker = useSystemPicker(source?.systemId ? [{ id: source.systemId, label: source.systemName ?? source.systemId }] : []);

  const missing = { name: !name.trim(), unitId: !unitId };
  const submit = () => {
    setTried(true);
    if (missing.name || missing.unitId) return;
    const body = { name: name.trim(), systemId, hosts, accessLog };
    if (source) {
      update.mutate({ ...body, enabled }, {
        onSuccess: (s) => { notifySuccess(t('soc.sources.updated', { name: s.name })); onClose(); },
        onError: notifyError,
      });
    } else {
      create.mutate({ ...body, kind, unitId: unitId!, tzOffsetMinutes: 420 }, {
        onSuccess: (r) => { notifySuccess(t('soc.sources.created', { name: r.source.name })); onCreated?.(r.apiKey); onClose(); },
        onError: notifyError,
      });
    }
  };

  return (
    <Modal opened onClose={onClose} size="48rem" title={source ? t('soc.sources.editTitle', { name: source.name }) : t('soc.sources.createTitle')} data-testid="source-form-modal">
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t('soc.sources.name')} withAsterisk value={name} onChange={(e) => setName(e.currentTarget.value)} error={tried && missing.name ? t('validation.required') : undefined} data-testid="source-name" />
          <Select label={t('soc.sources.kind')} allowDeselect={false} disabled={!!source} data={SOC_SOURCE_KINDS.map((k) => ({ value: k, label: t(`soc.sources.kinds.${k}`) }))}
            value={kind} onChange={(v) => setKind((v as SocSourceCreate['kind']) ?? 'syslog')} data-testid="source-kind" />
          <Select label={t('soc.sources.unit')} withAsterisk searchable disabled={!!source} data={(units.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
            value={unitId} onChange={setUnitId} error={tried && missing.unitId ? t('validation.required') : undefined} data-testid="source-unit" />
          <Select
            label={t('soc.sources.system')} description={t('soc.sources.systemHint')} clearable {...picker.props}
            nothingFoundMessage={picker.searching ? t('inventory.asset.form.searching') : t('inventory.asset.form.noSystemFound')}
            value={systemId}
            onChange={(v) => {
              setSystemId(v);
              if (v) picker.keep([v]);
              else setAccessLog(false);
            }}
            data-testid="source-system"
          />
        </SimpleGrid>
        <TagsInput label={t('soc.sources.hosts')} description={t('soc.sources.hostsHint')} value={hosts} onChange={setHosts} data-testid="source-hosts" />
        <Switch
          label={t('soc.sources.accessLog')}
          description={systemId ? t('soc.sources.accessLogHelp') : t('soc.sources.accessLogNeedsSystem')}
          checked={accessLog} disabled={!systemId} onChange={(e) => setAccessLog(e.currentTarget.checked)}
          data-testid="source-access-log"
        />
        {source ? <Switch label={t('soc.sources.enabled')} checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} data-testid="source-enabled" /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button onClick={submit} loading={create.isPending || update.isPending} data-testid="source-save">
            {source ? t('common.save') : t('soc.sources.create')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
