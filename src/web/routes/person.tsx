import { Anchor, Button, Card, Grid, Group, Loader, Select, Stack, Table, Text, Textarea, TextInput, Timeline, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconArrowLeft } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { PERSON_STATUSES, PersonStatusChangeSchema, type PersonStatus } from '../../contracts/org.js';
import { DateField } from '../components/DateField.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { blankToNull, zodValidator } from '../components/form.js';
import { formatDate, formatDateTime, todayIso } from '../components/format.js';
import { notifySuccess } from '../components/notify.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { useOrgUnits } from '../features/org-units/api.js';
import { unitOptions } from '../features/org-units/labels.js';
import { useChangePersonStatus, usePerson, usePersonHistory } from '../features/people/api.js';
import { StatusBadge } from '../features/people/StatusBadge.js';
import { PersonAccounts } from '../features/accounts/PersonAccounts.js';

interface ChangeValues {
  status: PersonStatus;
  unitId: string | null;
  position: string;
  effectiveFrom: string;
  decision: string;
  note: string;
}

function StatusChangeForm({ id, status }: { id: string; status: PersonStatus }) {
  const { t } = useTranslation();
  const units = useOrgUnits(false);
  const change = useChangePersonStatus(id);
  const toBody = (v: ChangeValues) => blankToNull({ ...v, unitId: v.unitId ?? undefined });
  const form = useForm<ChangeValues>({
    initialValues: { status, unitId: null, position: '', effectiveFrom: todayIso(), decision: '', note: '' },
    validate: zodValidator(PersonStatusChangeSchema, toBody),
  });
  return (
    <form
      data-testid="status-change-form"
      onSubmit={form.onSubmit((v) =>
        change.mutate(PersonStatusChangeSchema.parse(toBody(v)), {
          onSuccess: () => {
            notifySuccess(t('person.statusChanged'));
            form.reset();
          },
        }),
      )}
    >
      <Stack gap="sm">
        <Select label={t('people.field.status')} allowDeselect={false} data={PERSON_STATUSES.map((s) => ({ value: s, label: t(`personStatus.${s}`) }))} data-testid="status-change-status" {...form.getInputProps('status')} />
        <Select label={t('person.newUnit')} searchable clearable data={unitOptions(units.data, t)} {...form.getInputProps('unitId')} />
        <TextInput label={t('person.newPosition')} {...form.getInputProps('position')} />
        <DateField label={t('person.effectiveFrom')} withAsterisk {...form.getInputProps('effectiveFrom')} />
        <TextInput label={t('person.decision')} placeholder={t('orgUnits.decisionPlaceholder')} data-testid="status-change-decision" {...form.getInputProps('decision')} />
        <Textarea label={t('person.note')} autosize minRows={2} {...form.getInputProps('note')} />
        <ErrorAlert error={change.error} />
        <Button type="submit" loading={change.isPending} data-testid="status-change-submit">
          {t('person.recordChange')}
        </Button>
      </Stack>
    </form>
  );
}

/** /people/:id — one official: details, history of status/unit/position, and recording a change. */
export default function PersonRoute() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const me = useMe();
  const person = usePerson(id);
  const history = usePersonHistory(id);
  const p = person.data;
  const rows: [string, React.ReactNode][] = p
    ? [
        [t('people.field.citizenId'), <span style={{ fontFamily: 'monospace' }}>{p.citizenIdMasked ?? '—'}</span>],
        [t('people.field.dateOfBirth'), formatDate(p.dateOfBirth)],
        [t('people.field.gender'), p.gender ? t(`gender.${p.gender}`) : '—'],
        [t('people.field.unit'), p.unitName],
        [t('people.field.position'), p.position ?? '—'],
        [t('people.field.email'), p.email ?? '—'],
        [t('people.field.phone'), p.phone ?? '—'],
        [t('people.field.statusSince'), formatDate(p.statusSince)],
      ]
    : [];
  return (
    <>
      <Anchor component={Link} to="/people" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} /> {t('person.back')}
        </Group>
      </Anchor>
      {person.isLoading ? <Loader mt="md" /> : null}
      <ErrorAlert error={person.error} />
      {p ? (
        <>
          <Group mt="sm" mb="md" gap="sm">
            <Title order={2} data-testid="page-title">
              {p.fullName}
            </Title>
            <StatusBadge status={p.status} />
            {can(me.data, 'audit.read') ? (
              <Anchor component={Link} to={`/access-log?tab=search&personId=${encodeURIComponent(p.id)}`} size="sm" data-testid="person-access-log">
                {t('accessLog.personLink')}
              </Anchor>
            ) : null}
          </Group>
          <Grid>
            <Grid.Col span={{ base: 12, md: 7 }}>
              <Stack>
                <Card withBorder>
                  <Table withRowBorders={false} verticalSpacing={4}>
                    <Table.Tbody>
                      {rows.map(([k, v]) => (
                        <Table.Tr key={k}>
                          <Table.Td c="dimmed" w={200}>
                            {k}
                          </Table.Td>
                          <Table.Td>{v}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Card>
                <Card withBorder>
                  <Title order={5} mb="sm">
                    {t('person.history')}
                  </Title>
                  <ErrorAlert error={history.error} />
                  {history.data && history.data.length === 0 ? <Text c="dimmed">{t('person.noHistory')}</Text> : null}
                  <Timeline bulletSize={14} lineWidth={2} data-testid="person-history">
                    {history.data?.map((h) => (
                      <Timeline.Item key={h.id} title={`${formatDate(h.effectiveFrom)} · ${t(`personStatus.${h.status}`)}`}>
                        <Text size="sm">
                          {h.unitName}
                          {h.position ? ` — ${h.position}` : ''}
                        </Text>
                        {h.decision ? (
                          <Text size="xs" c="dimmed">
                            {t('person.basis')}: {h.decision}
                          </Text>
                        ) : null}
                        {h.note ? (
                          <Text size="xs" c="dimmed">
                            {h.note}
                          </Text>
                        ) : null}
                        <Text size="xs" c="dimmed">
                          {t('person.recordedAt', { at: formatDateTime(h.recordedAt) })}
                        </Text>
                      </Timeline.Item>
                    ))}
                  </Timeline>
                </Card>
              </Stack>
            </Grid.Col>
            {can(me.data, 'person.write') ? (
              <Grid.Col span={{ base: 12, md: 5 }}>
                <Card withBorder>
                  <Title order={5} mb="sm">
                    {t('person.changeTitle')}
                  </Title>
                  <StatusChangeForm id={p.id} status={p.status} />
                </Card>
              </Grid.Col>
            ) : null}
          </Grid>
          {can(me.data, 'account.read') ? (
            <div style={{ marginTop: 'var(--mantine-spacing-md)' }}>
              <PersonAccounts personId={p.id} />
            </div>
          ) : null}
        </>
      ) : null}
    </>
  );
}
