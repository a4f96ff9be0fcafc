import { Alert, Anchor, Badge, Center, Grid, Group, Loader, Paper, SimpleGrid, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconClockHour4 } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { InformationSystem } from '../../contracts/inventory.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDate, formatNumber } from '../components/format.js';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { useSystem } from '../features/inventory/api.js';
import { LevelBadge, LevelBadges } from '../features/inventory/badges.js';
import { LevelAdvisorPanel } from '../features/inventory/LevelAdvisorPanel.js';
import { SystemActions } from '../features/inventory/SystemActions.js';
import { MergerPanel } from '../features/merger/MergerPanel.js';
import { useOrgUnits } from '../features/org-units/api.js';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children ?? '—'}
      </Text>
    </div>
  );
}

function Facts({ s }: { s: InformationSystem }) {
  const { t } = useTranslation();
  const n = (v: number | null) => (v === null ? '—' : formatNumber(v));
  const info = s.information;
  const classes = [
    info.public ? t('inventory.info.public') : null,
    info.private ? t('inventory.info.private') : null,
    info.personal ? `${t('inventory.info.personal')} (${t('inventory.subjects', { n: n(info.personalSubjects) })})` : null,
    info.sensitivePersonal ? `${t('inventory.info.sensitivePersonal')} (${t('inventory.subjects', { n: n(info.sensitiveSubjects) })})` : null,
    info.stateSecret !== 'none' ? t(`inventory.stateSecret.${info.stateSecret}`) : null,
  ].filter(Boolean);
  const connections = [
    s.connections.lgsp ? t('inventory.connection.lgsp') : null,
    s.connections.ndxp ? t('inventory.connection.ndxp') : null,
    s.connections.nationalPopulationDb ? t('inventory.connection.nationalPopulationDb') : null,
    ...s.connections.others.map((o) => o.name),
  ].filter(Boolean);
  return (
    <Paper withBorder p="md" data-testid="system-facts">
      <Title order={4} mb="sm">
        {t('inventory.section.facts')}
      </Title>
      <Stack gap="sm">
        {s.purpose ? <Fact label={t('inventory.field.purpose')}>{s.purpose}</Fact> : null}
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" verticalSpacing="sm">
          <Fact label={t('inventory.field.type')}>{t(`inventory.type.${s.type}`)}</Fact>
          <Fact label={t('inventory.field.status')}>{t(`inventory.status.${s.status}`)}</Fact>
          <Fact label={t('inventory.field.ownerUnit')}>{s.ownerUnit.name}</Fact>
          <Fact label={t('inventory.field.operatingUnit')}>{s.operatingUnit?.name}</Fact>
          <Fact label={t('inventory.field.securityUnit')}>{s.securityUnit?.name}</Fact>
          <Fact label={t('inventory.field.origin')}>{t(`inventory.origin.${s.origin}`)}</Fact>
          <Fact label={t('inventory.field.users')}>
            {s.internalUsers === null && s.externalUsers === null ? '—' : t('inventory.usersLine', { internal: n(s.internalUsers), external: n(s.externalUsers) })}
          </Fact>
          <Fact label={t('inventory.field.onlineServiceLevel')}>
            {s.onlineServiceLevel ? t('inventory.onlineServiceN', { n: s.onlineServiceLevel }) : t('inventory.noOnlineService')}
          </Fact>
          <Fact label={t('inventory.field.hosting')}>
            {s.hosting ? t(`inventory.hosting.${s.hosting}`) : '—'}
            {s.hostingDetail ? ` — ${s.hostingDetail}` : ''}
          </Fact>
          <Fact label={t('inventory.field.rtoRpo')}>
            {s.rtoMinutes === null && s.rpoMinutes === null ? '—' : t('inventory.rtoRpoLine', { rto: n(s.rtoMinutes), rpo: n(s.rpoMinutes) })}
          </Fact>
        </SimpleGrid>
        <Fact label={t('inventory.field.information')}>{classes.length ? classes.join('; ') : '—'}</Fact>
        <Fact label={t('inventory.section.connections')}>{connections.length ? connections.join('; ') : t('inventory.noConnections')}</Fact>
        <Group gap="xs">
          {s.administrativeProcedure ? <Badge variant="outline">{t('inventory.field.administrativeProcedure')}</Badge> : null}
          {s.conditionalBusiness ? <Badge variant="outline">{t('inventory.field.conditionalBusiness')}</Badge> : null}
          {s.nationalEgov24x7 ? <Badge variant="outline">{t('inventory.field.nationalEgov24x7')}</Badge> : null}
        </Group>
        <Fact label={t('inventory.section.documents')}>
          {s.approvalDocuments.length === 0
            ? '—'
            : s.approvalDocuments.map((d, i) => (
                <div key={i}>
                  {d.number}
                  {d.date ? ` (${formatDate(d.date)})` : ''}
                  {d.title ? ` — ${d.title}` : ''}
                </div>
              ))}
        </Fact>
      </Stack>
    </Paper>
  );
}

/** /systems/:id — one information system: facts, level reasoning and decision, components, merger plan. */
export default function SystemDetailRoute() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const me = useMe();
  const detail = useSystem(id);
  const units = useOrgUnits(true);
  if (detail.isLoading) {
    return (
      <Center py="xl">
        <Loader />
      </Center>
    );
  }
  if (detail.error || !detail.data) return <ErrorAlert error={detail.error} />;
  const { system: s, parts, assets } = detail.data;
  const tr = s.transition;

  return (
    <>
      <Anchor component={Link} to="/systems" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} />
          {t('inventory.backToList')}
        </Group>
      </Anchor>
      <PageHeader
        title={s.name}
        description={`${s.code} · ${s.ownerUnit.name}`}
        actions={
          <Stack gap="xs" align="flex-end">
            <LevelBadges system={s} />
            {can(me.data, 'system.write') ? <SystemActions system={s} units={units.data ?? []} /> : null}
          </Stack>
        }
      />
      <Alert
        color={tr.state === 'classified' ? 'green' : tr.overdue ? 'red' : 'orange'}
        variant="light"
        icon={<IconClockHour4 size={18} />}
        mb="md"
        title={t('inventory.transitionTitle', { date: formatDate(tr.deadline) })}
        data-testid="transition-alert"
      >
        <Text size="sm" data-testid="transition-note">{tr.note}</Text>
      </Alert>
      <Tabs defaultValue="overview" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="overview" data-testid="tab-overview">{t('inventory.tab.overview')}</Tabs.Tab>
          <Tabs.Tab value="assets" data-testid="tab-assets">{t('inventory.tab.assets', { n: assets.length + parts.length })}</Tabs.Tab>
          <Tabs.Tab value="merger" data-testid="tab-merger">{t('inventory.tab.merger')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview">
          <Grid>
            <Grid.Col span={{ base: 12, lg: 5 }}>
              <Facts s={s} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 7 }}>
              <LevelAdvisorPanel detail={detail.data} canDecide={can(me.data, 'system.confirm_level')} />
            </Grid.Col>
          </Grid>
        </Tabs.Panel>
        <Tabs.Panel value="assets">
          <Stack>
            {parts.length ? (
              <Paper withBorder p="md">
                <Title order={5} mb="xs">{t('inventory.parts')}</Title>
                <Table fz="sm" withTableBorder>
                  <Table.Tbody>
                    {parts.map((p) => (
                      <Table.Tr key={p.id}>
                        <Table.Td><Anchor component={Link} to={`/systems/${p.id}`}>{p.name}</Anchor></Table.Td>
                        <Table.Td>{p.code}</Table.Td>
                        <Table.Td><LevelBadge regime="nd331" level={p.level} /></Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Paper>
            ) : null}
            <Paper withBorder p="md" data-testid="system-assets">
              <Title order={5} mb="xs">{t('inventory.assets')}</Title>
              {assets.length === 0 ? (
                <Text size="sm" c="dimmed">{t('inventory.asset.emptyForSystem')}</Text>
              ) : (
                <Table fz="sm" withTableBorder striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('inventory.asset.field.name')}</Table.Th>
                      <Table.Th>{t('inventory.asset.field.kind')}</Table.Th>
                      <Table.Th>{t('inventory.asset.field.hostname')}</Table.Th>
                      <Table.Th>{t('inventory.asset.field.ips')}</Table.Th>
                      <Table.Th>{t('inventory.asset.field.os')}</Table.Th>
                      <Table.Th>{t('inventory.asset.field.reuse')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {assets.map((a) => (
                      <Table.Tr key={a.id} data-testid="system-asset-row">
                        <Table.Td>
                          <Anchor component={Link} to={`/assets?asset=${a.id}`}>{a.name}</Anchor>
                          <Text size="xs" c="dimmed">{a.code}</Text>
                        </Table.Td>
                        <Table.Td>{t(`inventory.asset.kind.${a.kind}`)}</Table.Td>
                        <Table.Td ff="monospace">{a.hostname ?? '—'}</Table.Td>
                        <Table.Td ff="monospace">{a.ips.join(', ') || '—'}</Table.Td>
                        <Table.Td>{[a.osName, a.osVersion].filter(Boolean).join(' ') || '—'}</Table.Td>
                        <Table.Td>{a.reuseDisposition ? t(`inventory.asset.reuse.${a.reuseDisposition}`) : '—'}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </Paper>
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="merger">
          {can(me.data, 'merger.read') ? (
            <MergerPanel
              systemId={s.id}
              units={units.data ?? []}
              perms={{ write: can(me.data, 'merger.write'), taskUpdate: can(me.data, 'merger.task_update') || can(me.data, 'merger.write') }}
            />
          ) : (
            <Text c="dimmed">{t('merger.noAccess')}</Text>
          )}
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
