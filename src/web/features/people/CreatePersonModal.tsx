import { Button, Group, Modal, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useTranslation } from 'react-i18next';
import { PERSON_STATUSES, PersonCreateSchema, type OrgUnit, type PersonStatus } from '../../../contracts/org.js';
import { DateField } from '../../components/DateField.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { blankToNull, zodValidator } from '../../components/form.js';
import { notifySuccess } from '../../components/notify.js';
import { unitOptions } from '../org-units/labels.js';
import { useCreatePerson } from './api.js';

interface Values {
  fullName: string;
  citizenId: string;
  dateOfBirth: string;
  gender: 'male' | 'female' | null;
  email: string;
  phone: string;
  unitId: string | null;
  position: string;
  status: PersonStatus;
  statusSince: string;
}

export function CreatePersonModal({ opened, onClose, units }: { opened: boolean; onClose: () => void; units: OrgUnit[] }) {
  const { t } = useTranslation();
  const create = useCreatePerson();
  const toBody = (v: Values) => blankToNull({ ...v, unitId: v.unitId ?? '' });
  const form = useForm<Values>({
    initialValues: { fullName: '', citizenId: '', dateOfBirth: '', gender: null, email: '', phone: '', unitId: null, position: '', status: 'active', statusSince: '' },
    validate: (v) => ({ ...zodValidator(PersonCreateSchema, toBody)(v), ...(v.unitId ? {} : { unitId: t('validation.required') }) }),
  });
  return (
    <Modal opened={opened} onClose={onClose} title={t('people.createTitle')} size="xl">
      <form
        onSubmit={form.onSubmit((v) =>
          create.mutate(PersonCreateSchema.parse(toBody(v)), {
            onSuccess: (p) => {
              notifySuccess(t('people.created', { name: p.fullName }));
              form.reset();
              onClose();
            },
          }),
        )}
      >
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('people.field.fullName')} withAsterisk {...form.getInputProps('fullName')} />
            <TextInput label={t('people.field.citizenId')} maxLength={12} {...form.getInputProps('citizenId')} />
            <DateField label={t('people.field.dateOfBirth')} {...form.getInputProps('dateOfBirth')} />
            <Select
              label={t('people.field.gender')}
              clearable
              data={[
                { value: 'male', label: t('gender.male') },
                { value: 'female', label: t('gender.female') },
              ]}
              {...form.getInputProps('gender')}
            />
            <TextInput label={t('people.field.email')} {...form.getInputProps('email')} />
            <TextInput label={t('people.field.phone')} {...form.getInputProps('phone')} />
            <Select label={t('people.field.unit')} withAsterisk searchable data={unitOptions(units, t)} {...form.getInputProps('unitId')} />
            <TextInput label={t('people.field.position')} {...form.getInputProps('position')} />
            <Select label={t('people.field.status')} data={PERSON_STATUSES.map((s) => ({ value: s, label: t(`personStatus.${s}`) }))} allowDeselect={false} {...form.getInputProps('status')} />
            <DateField label={t('people.field.statusSince')} {...form.getInputProps('statusSince')} />
          </SimpleGrid>
          <ErrorAlert error={create.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
