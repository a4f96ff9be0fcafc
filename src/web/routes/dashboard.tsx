import { Badge, Card, Group, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import type { TFunction } from 'i18next';
import { IconChartBar } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatNumber } from '../components/format.js';
import { codeLabel } from '../components/labels.js';
import { NAV } from '../components/nav.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { InventorySummaryCard } from '../features/inventory/InventorySummaryCard.js';
import { MfaCoverageCard } from '../features/accounts/Lists.js';
import { PageHeader } from '../components/PageHeader.js';
import { useDashboard, type Metric } from '../features/dashboard/api.js';

/** Turn `usersWithoutMfa` / `people.on_leave` into a readable fallback when no label is defined. */
function humanize(path: string): string {
  return path
    .split('.')
    .map((p) => p.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase())
    .join(' · ');
}

/** Metrics grouped by subject (units, people, users & sign-ins), in the order the labels are listed. */
function groupMetrics(metrics: Metric[], t: TFunction): { key: string; metrics: Metric[] }[] {
  const known = Object.keys((t('dashboard.metric', { returnObjects: true }) as Record<string, string>) ?? {});
  const rank = (p: string) => (known.includes(p) ? known.indexOf(p) : known.length);
  const groupOf = (p: string) => (p.startsWith('failedLogins') || p.startsWith('logins') ? 'users' : p.includes('.') ? p.split('.')[0]! : 'other');
  const groups = new Map<string, Metric[]>();
  for (const m of [...metrics].sort((a, b) => rank(a.path) - rank(b.path))) {
    const g = groupOf(m.path);
    groups.set(g, [...(groups.get(g) ?? []), m]);
  }
  return [...groups.entries()].map(([key, list]) => ({ key, metrics: list }));
}

/** / — the counts in the user's scope, and the modules that are still to come (no figures for those). */
export default function DashboardRoute() {
  const { t } = useTranslation();
  const dashboard = useDashboard();
  const me = useMe();
  const upcoming = NAV.find((g) => g.key === 'upcoming')?.items ?? [];
  return (
    <>
      <PageHeader title={t('dashboard.title')} description={t('dashboard.description')} />
      {can(me.data, 'system.read') ? (
        <div style={{ marginBottom: 'var(--mantine-spacing-lg)' }}>
          <InventorySummaryCard />
        </div>
      ) : null}
      {can(me.data, 'account.read') ? (
        <div style={{ marginBottom: 'var(--mantine-spacing-lg)' }}>
          <MfaCoverageCard />
        </div>
      ) : null}
      <ErrorAlert error={dashboard.error} />
      {dashboard.isLoading ? (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} h={96} />
          ))}
        </SimpleGrid>
      ) : dashboard.data === null || dashboard.data?.length === 0 ? (
        <EmptyState icon={IconChartBar} title={t('dashboard.emptyTitle')} text={t('dashboard.emptyText')} />
      ) : dashboard.data ? (
        <Stack gap="lg" data-testid="dashboard-metrics">
          {groupMetrics(dashboard.data, t).map((group) => (
            <div key={group.key}>
              <Title order={5} mb="xs">
                {codeLabel(t, 'dashboard.group', group.key, group.key)}
              </Title>
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
                {group.metrics.map((m) => (
                  <Card key={m.path} withBorder padding="md" data-testid={`metric-${m.path}`}>
                    <Text size="sm" c="dimmed" lh={1.3}>
                      {codeLabel(t, 'dashboard.metric', m.path, humanize(m.path))}
                    </Text>
                    <Text fw={700} fz={28} mt={4}>
                      {formatNumber(m.value)}
                    </Text>
                  </Card>
                ))}
              </SimpleGrid>
            </div>
          ))}
        </Stack>
      ) : null}

      <Title order={4} mt="xl" mb="sm">
        {t('dashboard.upcomingTitle')}
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {upcoming.map((item) => {
          const Icon = item.icon;
          return (
            <Card key={item.key} withBorder padding="md" bg="gray.0">
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Group gap="xs" wrap="nowrap">
                  <Icon size={20} stroke={1.5} color="var(--mantine-color-gray-6)" />
                  <Text fw={600}>{t(`nav.${item.key}`)}</Text>
                </Group>
                <Badge variant="light" color="gray" style={{ flexShrink: 0 }}>
                  {t('common.comingSoon')}
                </Badge>
              </Group>
              <Text size="sm" c="dimmed" mt="xs">
                {t(`dashboard.upcoming.${item.key}`)}
              </Text>
            </Card>
          );
        })}
      </SimpleGrid>
    </>
  );
}
