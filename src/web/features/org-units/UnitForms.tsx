import { Button, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useTranslation } from 'react-i18next';
import { OrgUnitCreateSchema, OrgUnitMergeSchema, type OrgUnit, type UnitType } from '../../../contracts/org.js';
import { DateField } from '../../components/DateField.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { blankToNull, zodValidator } from '../../components/form.js';
import { notifySuccess } from '../../components/notify.js';
import { todayIso } from '../../components/format.js';
import { useCreateOrgUnit, useMergeOrgUnit } from './api.js';
import { unitOptions, unitTypeOptions } from './labels.js';

interface CreateValues {
  code: string;
  name: string;
  shortName: string;
  type: UnitType | '';
  parentId: string | null;
  validFrom: string;
}

export function CreateUnitModal({ opened, onClose, units }: { opened: boolean; onClose: () => void; units: OrgUnit[] }) {
  const { t } = useTranslation();
  const create = useCreateOrgUnit();
  const toBody = (v: CreateValues) => blankToNull({ ...v, type: v.type || undefined });
  const form = useForm<CreateValues>({
    initialValues: { code: '', name: '', shortName: '', type: '', parentId: units.find((u) => u.depth === 0 && u.current)?.id ?? null, validFrom: todayIso() },
    validate: zodValidator(OrgUnitCreateSchema, toBody),
  });
  return (
    <Modal opened={opened} onClose={onClose} title={t('orgUnits.createTitle')} size="lg">
      <form
        data-testid="unit-create-form"
        onSubmit={form.onSubmit((v) =>
          create.mutate(OrgUnitCreateSchema.parse(toBody(v)), {
            onSuccess: (u) => {
              notifySuccess(t('orgUnits.created', { name: u.name }));
              form.reset();
              onClose();
            },
          }),
        )}
      >
        <Stack>
          <TextInput label={t('orgUnits.field.code')} withAsterisk data-testid="unit-code" {...form.getInputProps('code')} />
          <TextInput label={t('orgUnits.field.name')} withAsterisk data-testid="unit-name-input" {...form.getInputProps('name')} />
          <TextInput label={t('orgUnits.field.shortName')} {...form.getInputProps('shortName')} />
          <Select label={t('orgUnits.field.type')} withAsterisk data={unitTypeOptions(t)} data-testid="unit-type" comboboxProps={{ withinPortal: true }} {...form.getInputProps('type')} />
          <Select label={t('orgUnits.field.parent')} searchable clearable data={unitOptions(units, t)} data-testid="unit-parent" {...form.getInputProps('parentId')} />
          <DateField label={t('orgUnits.field.validFrom')} data-testid="unit-valid-from" {...form.getInputProps('validFrom')} />
          <ErrorAlert error={create.error} />
          <Button type="submit" loading={create.isPending} data-testid="unit-create-submit">
            {t('common.save')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

export function MergeUnitModal({ unit, onClose, units }: { unit: OrgUnit | null; onClose: () => void; units: OrgUnit[] }) {
  const { t } = useTranslation();
  const merge = useMergeOrgUnit();
  const form = useForm({
    initialValues: { intoId: '' as string | null, mergedOn: todayIso(), decision: '' },
    validate: (v) => ({
      ...zodValidator(OrgUnitMergeSchema)(v),
      ...(v.intoId ? {} : { intoId: t('validation.required') }),
    }),
  });
  return (
    <Modal opened={!!unit} onClose={onClose} title={t('orgUnits.mergeTitle', { name: unit?.name ?? '' })} size="lg">
      <form
        data-testid="merge-form"
        onSubmit={form.onSubmit((v) => {
          if (!unit) return;
          merge.mutate(
            { id: unit.id, intoId: v.intoId ?? '', mergedOn: v.mergedOn, decision: v.decision },
            {
              onSuccess: () => {
                notifySuccess(t('orgUnits.merged'));
                form.reset();
                onClose();
              },
            },
          );
        })}
      >
        <Stack>
          <Select
            label={t('orgUnits.field.mergeInto')}
            searchable
            withAsterisk
            data={unitOptions(units.filter((u) => u.id !== unit?.id), t)}
            data-testid="merge-into"
            {...form.getInputProps('intoId')}
          />
          <DateField label={t('orgUnits.field.mergedOn')} withAsterisk {...form.getInputProps('mergedOn')} />
          <TextInput label={t('orgUnits.field.decision')} placeholder={t('orgUnits.decisionPlaceholder')} withAsterisk data-testid="merge-decision" {...form.getInputProps('decision')} />
          <ErrorAlert error={merge.error} />
          <Button type="submit" color="orange" loading={merge.isPending} data-testid="merge-submit">
            {t('orgUnits.mergeConfirm')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
