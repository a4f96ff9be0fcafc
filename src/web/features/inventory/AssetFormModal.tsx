import { ActionIcon, Button, Group, Modal, MultiSelect, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ASSET_KINDS, ASSET_STATUSES, AssetCreateSchema, type Asset } from '../../../contracts/inventory.js';
import type { OrgUnit } from '../../../contracts/org.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { notifySuccess } from '../../components/notify.js';
import { unitOptions } from '../org-units/labels.js';
import { type AssetCreate, useCreateAsset, useUpdateAsset } from './api.js';
import { systemLabel, useSystemPicker } from './useSystemPicker.js';

type SoftwareRow = { vendor: string; product: string; version: string; cpe: string };
const blank = (v: string) => (v.trim() === '' ? null : v.trim());
const splitList = (v: string) => v.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);

/** The form's field → the first schema issue on it (same schema as the server, messages localised here). */
function issuesOf(body: AssetCreate, t: (k: string, o?: Record<string, unknown>) => string): Record<string, string> {
  const parsed = AssetCreateSchema.safeParse(body);
  const out: Record<string, string> = {};
  if (parsed.success) return out;
  for (const issue of parsed.error.issues) {
    const [head, index, sub] = issue.path.map(String);
    const key = head === 'software' ? `software.${index}.${sub ?? 'product'}` : head === 'ips' ? 'ips' : head!;
    if (out[key]) continue;
    out[key] = head === 'ips' ? t('inventory.asset.form.badIp', { ip: body.ips?.[Number(index)] ?? '' })
      : issue.code === 'too_small' ? t('validation.required')
      : sub === 'cpe' ? t('inventory.asset.form.badCpe')
      : issue.code === 'invalid_value' || issue.code === 'invalid_type' ? t('validation.required') : t('inventory.asset.form.invalid');
  }
  return out;
}

/** Create an asset, or edit one (prefilled; PATCH): identity, network, OS, software list, systems it serves. */
export function AssetFormModal({ asset, units, onClose, onSaved }: { asset?: Asset; units: OrgUnit[]; onClose: () => void; onSaved?: (a: Asset) => void }) {
  const { t } = useTranslation();
  const create = useCreateAsset();
  const update = useUpdateAsset(asset?.id ?? '');
  const save = asset ? update : create;
  const [code, setCode] = useState(asset?.code ?? '');
  const [name, setName] = useState(asset?.name ?? '');
  const [kind, setKind] = useState<string | null>(asset?.kind ?? null);
  const [status, setStatus] = useState<string>(asset?.status ?? 'in_use');
  const [hostname, setHostname] = useState(asset?.hostname ?? '');
  const [ips, setIps] = useState(asset?.ips.join(', ') ?? '');
  const [osName, setOsName] = useState(asset?.osName ?? '');
  const [osVersion, setOsVersion] = useState(asset?.osVersion ?? '');
  const [location, setLocation] = useState(asset?.location ?? '');
  const [ownerUnitId, setOwnerUnitId] = useState<string | null>(asset?.ownerUnit.id ?? null);
  const [notes, setNotes] = useState(asset?.notes ?? '');
  const [software, setSoftware] = useState<SoftwareRow[]>(
    asset?.software.map((s) => ({ vendor: s.vendor ?? '', product: s.product, version: s.version ?? '', cpe: s.cpe ?? '' })) ?? [],
  );
  const [systemIds, setSystemIds] = useState<string[]>(asset?.systems.map((s) => s.id) ?? []);
  const picker = useSystemPicker((asset?.systems ?? []).map((s) => ({ id: s.id, label: systemLabel(s) })));
  const [tried, setTried] = useState(false);

  const body: AssetCreate = {
    code: code.trim(), name: name.trim(), kind: (kind ?? '') as AssetCreate['kind'], status: status as AssetCreate['status'],
    hostname: blank(hostname), ips: splitList(ips), osName: blank(osName), osVersion: blank(osVersion), location: blank(location),
    ownerUnitId: ownerUnitId ?? '', notes: blank(notes), systemIds,
    software: software.filter((s) => s.product.trim() || s.vendor.trim() || s.version.trim() || s.cpe.trim())
      .map((s) => ({ vendor: blank(s.vendor), product: s.product.trim(), version: blank(s.version), cpe: blank(s.cpe) })),
  };
  const errors: Record<string, string | undefined> = tried ? { ...issuesOf(body, t), ...(ownerUnitId ? {} : { ownerUnitId: t('validation.required') }) } : {};
  const setRow = (i: number, patch: Partial<SoftwareRow>) => setSoftware(software.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  const submit = () => {
    setTried(true);
    if (Object.keys(issuesOf(body, t)).length || !ownerUnitId) return;
    save.mutate(body, {
      onSuccess: (a) => {
        notifySuccess(t(asset ? 'inventory.asset.updated' : 'inventory.asset.created', { name: a.name }));
        onSaved?.(a);
        onClose();
      },
    });
  };

  return (
    <Modal opened onClose={onClose} size="60rem" title={asset ? t('inventory.asset.editTitle', { name: asset.name }) : t('inventory.asset.createTitle')} data-testid="asset-form-modal">
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput label={t('inventory.asset.field.code')} withAsterisk value={code} onChange={(e) => setCode(e.currentTarget.value)} error={errors.code} data-testid="asset-code" />
          <TextInput label={t('inventory.asset.field.name')} withAsterisk value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} style={{ gridColumn: 'span 2' }} data-testid="asset-name" />
          <Select label={t('inventory.asset.field.kind')} withAsterisk data={ASSET_KINDS.map((k) => ({ value: k, label: t(`inventory.asset.kind.${k}`) }))}
            value={kind} onChange={setKind} error={errors.kind} data-testid="asset-kind" />
          <Select label={t('inventory.asset.field.status')} allowDeselect={false} data={ASSET_STATUSES.map((s) => ({ value: s, label: t(`inventory.asset.status.${s}`) }))}
            value={status} onChange={(v) => setStatus(v ?? 'in_use')} data-testid="asset-status" />
          <Select label={t('inventory.asset.field.ownerUnit')} withAsterisk searchable data={unitOptions(units, t)} value={ownerUnitId} onChange={setOwnerUnitId}
            error={errors.ownerUnitId} data-testid="asset-owner-unit" />
          <TextInput label={t('inventory.asset.field.hostname')} value={hostname} onChange={(e) => setHostname(e.currentTarget.value)} error={errors.hostname} data-testid="asset-hostname" />
          <TextInput label={t('inventory.asset.field.ips')} description={t('inventory.asset.form.ipsHint')} value={ips} onChange={(e) => setIps(e.currentTarget.value)} error={errors.ips} data-testid="asset-ips" />
          <TextInput label={t('inventory.asset.field.location')} value={location} onChange={(e) => setLocation(e.currentTarget.value)} data-testid="asset-location" />
          <TextInput label={t('inventory.asset.field.os')} value={osName} onChange={(e) => setOsName(e.currentTarget.value)} data-testid="asset-os-name" />
          <TextInput label={t('inventory.asset.field.osVersion')} value={osVersion} onChange={(e) => setOsVersion(e.currentTarget.value)} data-testid="asset-os-version" />
        </SimpleGrid>

        <MultiSelect
          label={t('inventory.asset.systems')}
          description={t('inventory.asset.form.systemsHint')}
          clearable
          {...picker.props}
          value={systemIds}
          onChange={(ids) => {
            picker.keep(ids);
            setSystemIds(ids);
          }}
          nothingFoundMessage={picker.searching ? t('inventory.asset.form.searching') : t('inventory.asset.form.noSystemFound')}
          data-testid="asset-systems"
        />

        <Stack gap={6} data-testid="asset-software-form">
          <Text size="sm" fw={500}>{t('inventory.asset.software')}</Text>
          {software.length === 0 ? <Text size="sm" c="dimmed">{t('inventory.asset.noSoftware')}</Text> : null}
          {software.map((s, i) => (
            <Group key={i} align="flex-start" wrap="nowrap" gap="xs" data-testid="asset-software-row">
              <TextInput placeholder={t('inventory.asset.field.vendor')} aria-label={t('inventory.asset.field.vendor')} value={s.vendor} onChange={(e) => setRow(i, { vendor: e.currentTarget.value })} w={170} data-testid="software-vendor" />
              <TextInput placeholder={t('inventory.asset.field.product')} aria-label={t('inventory.asset.field.product')} value={s.product} onChange={(e) => setRow(i, { product: e.currentTarget.value })}
                error={errors[`software.${i}.product`]} style={{ flex: 1 }} data-testid="software-product" />
              <TextInput placeholder={t('inventory.asset.field.version')} aria-label={t('inventory.asset.field.version')} value={s.version} onChange={(e) => setRow(i, { version: e.currentTarget.value })} w={120} data-testid="software-version" />
              <TextInput placeholder="cpe:2.3:a:…" aria-label="CPE" value={s.cpe} onChange={(e) => setRow(i, { cpe: e.currentTarget.value })} error={errors[`software.${i}.cpe`]} style={{ flex: 1 }} ff="monospace" data-testid="software-cpe" />
              <ActionIcon variant="subtle" color="red" mt={6} onClick={() => setSoftware(software.filter((_, j) => j !== i))} aria-label={t('common.delete')}>
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => setSoftware([...software, { vendor: '', product: '', version: '', cpe: '' }])} data-testid="software-add">
              {t('inventory.asset.form.addSoftware')}
            </Button>
          </Group>
        </Stack>

        <Textarea label={t('inventory.asset.field.notes')} autosize minRows={2} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} data-testid="asset-notes" />
        <ErrorAlert error={save.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={submit} loading={save.isPending} data-testid="asset-submit">{asset ? t('common.save') : t('inventory.asset.form.create')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
