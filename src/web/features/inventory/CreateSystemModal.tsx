import { ActionIcon, Button, Checkbox, Divider, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import {
  HOSTING_KINDS, ICS_WORK_GRADES, INFRASTRUCTURE_SCOPES, NATIONAL_SECURITY_IMPACTS, STATE_SECRET_GRADES, SYSTEM_STATUSES, SYSTEM_TYPES,
  SystemCreateSchema, type InformationSystem,
} from '../../../contracts/inventory.js';
import type { OrgUnit } from '../../../contracts/org.js';
import { DateField } from '../../components/DateField.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { notifySuccess } from '../../components/notify.js';
import { unitOptions } from '../org-units/labels.js';
import { useCreateSystem, useUpdateSystem, type SystemCreate } from './api.js';

type Num = number | string;

interface Values {
  code: string;
  name: string;
  purpose: string;
  type: string | null;
  status: string;
  origin: string;
  ownerUnitId: string | null;
  operatingUnitId: string | null;
  securityUnitId: string | null;
  internalUsers: Num;
  externalUsers: Num;
  info: { public: boolean; private: boolean; personal: boolean; personalSubjects: Num; sensitivePersonal: boolean; sensitiveSubjects: Num; stateSecret: string };
  onlineServiceLevel: string | null;
  administrativeProcedure: boolean;
  conditionalBusiness: boolean;
  infrastructureScope: string;
  icsWorkGrade: string;
  nationalEgov24x7: boolean;
  nationalSecurityImpact: string;
  lgsp: boolean;
  ndxp: boolean;
  nationalPopulationDb: boolean;
  otherConnections: string;
  hosting: string | null;
  hostingDetail: string;
  rtoMinutes: Num;
  rpoMinutes: Num;
  documents: { number: string; date: string; title: string }[];
}

const num = (v: Num): number | null => (typeof v === 'number' ? v : v.trim() === '' ? null : Number(v));
const text = (v: string): string | null => (v.trim() === '' ? null : v.trim());

function toBody(v: Values): SystemCreate {
  return {
    code: v.code.trim(),
    name: v.name.trim(),
    purpose: text(v.purpose),
    type: (v.type ?? '') as SystemCreate['type'],
    status: v.status as SystemCreate['status'],
    origin: v.origin as SystemCreate['origin'],
    ownerUnitId: v.ownerUnitId ?? '',
    operatingUnitId: v.operatingUnitId,
    securityUnitId: v.securityUnitId,
    internalUsers: num(v.internalUsers),
    externalUsers: num(v.externalUsers),
    information: {
      public: v.info.public,
      private: v.info.private,
      personal: v.info.personal,
      personalSubjects: v.info.personal ? num(v.info.personalSubjects) : null,
      sensitivePersonal: v.info.sensitivePersonal,
      sensitiveSubjects: v.info.sensitivePersonal ? num(v.info.sensitiveSubjects) : null,
      stateSecret: v.info.stateSecret as 'none',
    },
    onlineServiceLevel: v.onlineServiceLevel === null ? null : Number(v.onlineServiceLevel),
    administrativeProcedure: v.administrativeProcedure,
    conditionalBusiness: v.conditionalBusiness,
    infrastructureScope: v.infrastructureScope as 'none',
    icsWorkGrade: v.icsWorkGrade as 'none',
    nationalEgov24x7: v.nationalEgov24x7,
    nationalSecurityImpact: v.nationalSecurityImpact as 'none',
    connections: {
      lgsp: v.lgsp,
      ndxp: v.ndxp,
      nationalPopulationDb: v.nationalPopulationDb,
      others: v.otherConnections.split('\n').map((s) => s.trim()).filter(Boolean).map((name) => ({ systemId: null, name })),
    },
    hosting: v.hosting as SystemCreate['hosting'],
    hostingDetail: text(v.hostingDetail),
    rtoMinutes: num(v.rtoMinutes),
    rpoMinutes: num(v.rpoMinutes),
    approvalDocuments: v.documents.filter((d) => d.number.trim()).map((d) => ({ number: d.number.trim(), date: text(d.date), title: text(d.title) })),
  };
}

const EMPTY: Values = {
  code: '', name: '', purpose: '', type: null, status: 'in_operation', origin: 'new',
  ownerUnitId: null, operatingUnitId: null, securityUnitId: null, internalUsers: '', externalUsers: '',
  info: { public: true, private: false, personal: false, personalSubjects: '', sensitivePersonal: false, sensitiveSubjects: '', stateSecret: 'none' },
  onlineServiceLevel: null, administrativeProcedure: false, conditionalBusiness: false, infrastructureScope: 'none', icsWorkGrade: 'none',
  nationalEgov24x7: false, nationalSecurityImpact: 'none', lgsp: false, ndxp: false, nationalPopulationDb: false, otherConnections: '',
  hosting: null, hostingDetail: '', rtoMinutes: '', rpoMinutes: '', documents: [],
};

/** The form's values for a stored system (edit mode): the inverse of toBody. */
function fromSystem(s: InformationSystem): Values {
  const n = (v: number | null): Num => v ?? '';
  return {
    code: s.code, name: s.name, purpose: s.purpose ?? '', type: s.type, status: s.status, origin: s.origin,
    ownerUnitId: s.ownerUnit.id, operatingUnitId: s.operatingUnit?.id ?? null, securityUnitId: s.securityUnit?.id ?? null,
    internalUsers: n(s.internalUsers), externalUsers: n(s.externalUsers),
    info: {
      public: s.information.public, private: s.information.private, personal: s.information.personal, personalSubjects: n(s.information.personalSubjects),
      sensitivePersonal: s.information.sensitivePersonal, sensitiveSubjects: n(s.information.sensitiveSubjects), stateSecret: s.information.stateSecret,
    },
    onlineServiceLevel: s.onlineServiceLevel === null ? null : String(s.onlineServiceLevel),
    administrativeProcedure: s.administrativeProcedure, conditionalBusiness: s.conditionalBusiness, infrastructureScope: s.infrastructureScope,
    icsWorkGrade: s.icsWorkGrade, nationalEgov24x7: s.nationalEgov24x7, nationalSecurityImpact: s.nationalSecurityImpact,
    lgsp: s.connections.lgsp, ndxp: s.connections.ndxp, nationalPopulationDb: s.connections.nationalPopulationDb,
    otherConnections: s.connections.others.map((o) => o.name).join('\n'),
    hosting: s.hosting, hostingDetail: s.hostingDetail ?? '', rtoMinutes: n(s.rtoMinutes), rpoMinutes: n(s.rpoMinutes),
    documents: s.approvalDocuments.map((d) => ({ number: d.number, date: d.date ?? '', title: d.title ?? '' })),
  };
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap="xs">
      <Divider label={<Title order={6}>{title}</Title>} labelPosition="left" />
      {children}
    </Stack>
  );
}

/**
 * "Đăng ký hệ thống": the facts of the contract, grouped as officials fill in the catalogue form. Given a
 * `system`, the same form edits it (prefilled; PATCH /systems/:id).
 */
export function CreateSystemModal({ opened, onClose, units, system }: { opened: boolean; onClose: () => void; units: OrgUnit[]; system?: InformationSystem }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const create = useCreateSystem();
  const update = useUpdateSystem(system?.id ?? '');
  const save = system ? update : create;
  const form = useForm<Values>({
    initialValues: system ? fromSystem(system) : EMPTY,
    validate: (v) => {
      const errors: Record<string, string> = {};
      const parsed = SystemCreateSchema.safeParse(toBody(v));
      if (!parsed.success) {
        const map: Record<string, string> = { 'information.personalSubjects': 'info.personalSubjects', 'information.sensitiveSubjects': 'info.sensitiveSubjects' };
        for (const issue of parsed.error.issues) {
          const key = issue.path.join('.');
          const field = map[key] ?? (key.startsWith('approvalDocuments.') ? key.replace('approvalDocuments', 'documents') : key);
          if (!errors[field]) errors[field] = issue.message;
        }
      }
      if (!v.type) errors.type = t('validation.required');
      if (!v.ownerUnitId) errors.ownerUnitId = t('validation.required');
      if (v.info.personal && num(v.info.personalSubjects) === null) errors['info.personalSubjects'] = t('inventory.form.subjectsRequired');
      if (v.info.sensitivePersonal && num(v.info.sensitiveSubjects) === null) errors['info.sensitiveSubjects'] = t('inventory.form.subjectsRequired');
      return errors;
    },
  });
  const units_ = unitOptions(units, t);
  const opts = <T extends string>(list: readonly T[], dict: string) => list.map((value) => ({ value, label: t(`${dict}.${value}`) }));
  const countProps = { min: 0, thousandSeparator: '.', decimalSeparator: ',', allowDecimal: false, allowNegative: false } as const;

  return (
    <Modal opened={opened} onClose={onClose} title={system ? t('inventory.editTitle', { name: system.name }) : t('inventory.createTitle')} size="70rem" data-testid="system-create-modal">
      <form
        data-testid="system-create-form"
        onSubmit={form.onSubmit((v) =>
          system
            ? update.mutate(toBody(v), {
                onSuccess: (s) => {
                  notifySuccess(t('inventory.updated', { name: s.name }));
                  onClose();
                },
              })
            : create.mutate(toBody(v), {
                onSuccess: (s) => {
                  notifySuccess(t('inventory.created', { name: s.name }));
                  onClose();
                  void navigate(`/systems/${s.id}`);
                },
              }),
        )}
      >
        <Stack gap="lg">
          <Section title={t('inventory.section.general')}>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextInput label={t('inventory.field.code')} withAsterisk {...form.getInputProps('code')} data-testid="system-code" />
              <TextInput label={t('inventory.field.name')} withAsterisk {...form.getInputProps('name')} data-testid="system-name" style={{ gridColumn: 'span 2' }} />
            </SimpleGrid>
            <Textarea label={t('inventory.field.purpose')} autosize minRows={2} {...form.getInputProps('purpose')} data-testid="system-purpose" />
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Select label={t('inventory.field.type')} withAsterisk data={opts(SYSTEM_TYPES, 'inventory.type')} {...form.getInputProps('type')} data-testid="system-type" />
              <Select label={t('inventory.field.status')} allowDeselect={false} data={opts(SYSTEM_STATUSES, 'inventory.status')} {...form.getInputProps('status')} />
              <Select label={t('inventory.field.origin')} allowDeselect={false} data={opts(['bd', 'gl', 'new'] as const, 'inventory.origin')} {...form.getInputProps('origin')} />
            </SimpleGrid>
          </Section>

          <Section title={t('inventory.section.units')}>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Select label={t('inventory.field.ownerUnit')} withAsterisk searchable data={units_} {...form.getInputProps('ownerUnitId')} data-testid="system-owner-unit" />
              <Select label={t('inventory.field.operatingUnit')} searchable clearable data={units_} {...form.getInputProps('operatingUnitId')} data-testid="system-operating-unit" />
              <Select label={t('inventory.field.securityUnit')} searchable clearable data={units_} {...form.getInputProps('securityUnitId')} />
            </SimpleGrid>
          </Section>

          <Section title={t('inventory.section.data')}>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <NumberInput label={t('inventory.field.internalUsers')} {...countProps} {...form.getInputProps('internalUsers')} />
              <NumberInput label={t('inventory.field.externalUsers')} {...countProps} {...form.getInputProps('externalUsers')} />
              <Select label={t('inventory.field.stateSecret')} allowDeselect={false} data={opts(STATE_SECRET_GRADES, 'inventory.stateSecret')} {...form.getInputProps('info.stateSecret')} />
            </SimpleGrid>
            <Group gap="xl">
              <Checkbox label={t('inventory.info.public')} {...form.getInputProps('info.public', { type: 'checkbox' })} />
              <Checkbox label={t('inventory.info.private')} {...form.getInputProps('info.private', { type: 'checkbox' })} />
            </Group>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Stack gap={6}>
                <Checkbox label={t('inventory.info.personal')} {...form.getInputProps('info.personal', { type: 'checkbox' })} data-testid="system-personal" />
                <NumberInput
                  label={t('inventory.field.personalSubjects')}
                  disabled={!form.values.info.personal}
                  {...countProps}
                  {...form.getInputProps('info.personalSubjects')}
                  data-testid="system-personal-subjects"
                />
              </Stack>
              <Stack gap={6}>
                <Checkbox label={t('inventory.info.sensitivePersonal')} {...form.getInputProps('info.sensitivePersonal', { type: 'checkbox' })} data-testid="system-sensitive" />
                <NumberInput
                  label={t('inventory.field.sensitiveSubjects')}
                  disabled={!form.values.info.sensitivePersonal}
                  {...countProps}
                  {...form.getInputProps('info.sensitiveSubjects')}
                  data-testid="system-sensitive-subjects"
                />
              </Stack>
            </SimpleGrid>
          </Section>

          <Section title={t('inventory.section.levelFacts')}>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Select
                label={t('inventory.field.onlineServiceLevel')}
                clearable
                data={['0', '1', '2', '3', '4'].map((v) => ({ value: v, label: v === '0' ? t('inventory.noOnlineService') : t('inventory.onlineServiceN', { n: v }) }))}
                {...form.getInputProps('onlineServiceLevel')}
              />
              <Select label={t('inventory.field.infrastructureScope')} allowDeselect={false} data={opts(INFRASTRUCTURE_SCOPES, 'inventory.infrastructureScope')} {...form.getInputProps('infrastructureScope')} />
              <Select label={t('inventory.field.icsWorkGrade')} allowDeselect={false} data={opts(ICS_WORK_GRADES, 'inventory.icsWorkGrade')} {...form.getInputProps('icsWorkGrade')} />
              <Select label={t('inventory.field.nationalSecurityImpact')} allowDeselect={false} data={opts(NATIONAL_SECURITY_IMPACTS, 'inventory.nationalSecurityImpact')} {...form.getInputProps('nationalSecurityImpact')} />
            </SimpleGrid>
            <Stack gap={6}>
              <Switch label={t('inventory.field.administrativeProcedure')} {...form.getInputProps('administrativeProcedure', { type: 'checkbox' })} />
              <Switch label={t('inventory.field.conditionalBusiness')} {...form.getInputProps('conditionalBusiness', { type: 'checkbox' })} />
              <Switch label={t('inventory.field.nationalEgov24x7')} {...form.getInputProps('nationalEgov24x7', { type: 'checkbox' })} />
            </Stack>
          </Section>

          <Section title={t('inventory.section.connections')}>
            <Group gap="xl">
              <Checkbox label={t('inventory.connection.lgsp')} {...form.getInputProps('lgsp', { type: 'checkbox' })} data-testid="system-lgsp" />
              <Checkbox label={t('inventory.connection.ndxp')} {...form.getInputProps('ndxp', { type: 'checkbox' })} />
              <Checkbox label={t('inventory.connection.nationalPopulationDb')} {...form.getInputProps('nationalPopulationDb', { type: 'checkbox' })} />
            </Group>
            <Textarea label={t('inventory.field.otherConnections')} description={t('inventory.form.onePerLine')} autosize minRows={2} {...form.getInputProps('otherConnections')} />
          </Section>

          <Section title={t('inventory.section.hosting')}>
            <SimpleGrid cols={{ base: 1, sm: 4 }}>
              <Select label={t('inventory.field.hosting')} clearable data={opts(HOSTING_KINDS, 'inventory.hosting')} {...form.getInputProps('hosting')} />
              <TextInput label={t('inventory.field.hostingDetail')} {...form.getInputProps('hostingDetail')} />
              <NumberInput label={t('inventory.field.rto')} {...countProps} {...form.getInputProps('rtoMinutes')} />
              <NumberInput label={t('inventory.field.rpo')} {...countProps} {...form.getInputProps('rpoMinutes')} />
            </SimpleGrid>
          </Section>

          <Section title={t('inventory.section.documents')}>
            {form.values.documents.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('inventory.form.noDocuments')}
              </Text>
            ) : null}
            {form.values.documents.map((_, i) => (
              <Group key={i} align="flex-end" wrap="nowrap">
                <TextInput label={t('inventory.field.docNumber')} withAsterisk {...form.getInputProps(`documents.${i}.number`)} w={200} />
                <DateField label={t('inventory.field.docDate')} {...form.getInputProps(`documents.${i}.date`)} w={150} />
                <TextInput label={t('inventory.field.docTitle')} {...form.getInputProps(`documents.${i}.title`)} style={{ flex: 1 }} />
                <ActionIcon variant="subtle" color="red" mb={4} onClick={() => form.removeListItem('documents', i)} aria-label={t('common.delete')}>
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
            ))}
            <Group>
              <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => form.insertListItem('documents', { number: '', date: '', title: '' })}>
                {t('inventory.form.addDocument')}
              </Button>
            </Group>
          </Section>

          <ErrorAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="system-create-submit">
              {system ? t('common.save') : t('inventory.createSubmit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
