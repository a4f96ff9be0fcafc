import { Paper, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { useAccounts } from './api.js';
import { AccountTable, TasksList } from './Lists.js';

/** Person page section: every account linked to this official across all systems ("what they can log in to"). */
export function PersonAccounts({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const accounts = useAccounts({ personId, page: 1, pageSize: 500 });
  return (
    <Paper withBorder p="md" data-testid="person-accounts">
      <Title order={4} mb={4}>{t('accounts.person.title')}</Title>
      <Text size="sm" c="dimmed" mb="sm">{t('accounts.person.hint', { n: accounts.data?.total ?? 0 })}</Text>
      <ErrorAlert error={accounts.error} />
      {accounts.data?.items.length ? <AccountTable items={accounts.data.items} showSystem /> : <Text size="sm">{t('accounts.person.none')}</Text>}
      <Title order={5} mt="md" mb="xs">{t('accounts.person.tasks')}</Title>
      <TasksList personId={personId} />
    </Paper>
  );
}
