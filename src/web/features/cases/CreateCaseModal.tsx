import { Button, Group, Modal, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { CASE_CATEGORIES, CASE_SEVERITIES, TLPS, type CaseCategory, type CaseSeverity } from '../../../contracts/cases.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { useOrgUnits } from '../org-units/api.js';
import { unitOptions } from '../org-units/labels.js';
import { useCreateCase, usePlaybooks } from './api.js';

/** Open a case by hand: facts, unit, and optionally the playbook (else chosen by category). */
export function CreateCaseModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const units = useOrgUnits(false, opened);
  const playbooks = usePlaybooks();
  const create = useCreateCase();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState<CaseCategory | null>(null);
  const [severity, setSeverity] = useState<CaseSeverity>('medium');
  const [tlp, setTlp] = useState<string>('amber');
  const [unitId, setUnitId] = useState<string | null>(null);
  const [playbookKey, setPlaybookKey] = useState<string | null>(null);
  const [people, setPeople] = useState('');
  const submit = () => {
    if (!category || !unitId) return;
    create.mutate(
      { title, description, category, severity, tlp: tlp as 'amber', unitId, playbookKey: playbookKey ?? undefined, affected: { systemIds: [], assetIds: [], unitIds: [], people } },
      { onSuccess: (c) => { onClose(); void navigate(`/cases/${c.id}`); } },
    );
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t('cases.create.title')} size="lg">
      <Stack>
        <ErrorAlert error={create.error} />
        <TextInput label={t('cases.field.title')} required value={title} onChange={(e) => setTitle(e.currentTarget.value)} data-testid="case-title-input" />
        <Group grow>
          <Select label={t('cases.field.category')} required data={CASE_CATEGORIES.map((c) => ({ value: c, label: t(`cases.category.${c}`) }))} value={category} onChange={(v) => setCategory(v as CaseCategory)} data-testid="case-category-input" />
          <Select label={t('cases.field.severity')} data={CASE_SEVERITIES.map((s) => ({ value: s, label: t(`cases.severity.${s}`) }))} value={severity} onChange={(v) => setSeverity((v as CaseSeverity) ?? 'medium')} allowDeselect={false} />
          <Select label="TLP" data={TLPS.map((x) => ({ value: x, label: `TLP:${x.toUpperCase()}` }))} value={tlp} onChange={(v) => setTlp(v ?? 'amber')} allowDeselect={false} />
        </Group>
        <Select label={t('cases.field.unit')} required searchable data={unitOptions(units.data, t)} value={unitId} onChange={setUnitId} data-testid="case-unit-input" />
        <Select label={t('cases.field.playbook')} description={t('cases.create.playbookHint')} clearable data={[{ value: 'none', label: t('cases.create.noPlaybook') }, ...(playbooks.data ?? []).map((p) => ({ value: p.key, label: p.title }))]} value={playbookKey} onChange={setPlaybookKey} />
        <Textarea label={t('cases.field.description')} autosize minRows={3} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
        <TextInput label={t('cases.field.people')} value={people} onChange={(e) => setPeople(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={submit} loading={create.isPending} disabled={!title.trim() || !category || !unitId} data-testid="case-create-submit">{t('cases.create.submit')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

