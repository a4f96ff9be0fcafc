import { Tabs } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { ImportWizard } from '../features/accounts/ImportWizard.js';
import { AccountsList, FindingsList, MfaCoverageCard, TasksList } from '../features/accounts/Lists.js';
import { Campaigns, MyReviews } from '../features/accounts/Reviews.js';

/** /accounts — account governance: findings, accounts per system/unit, import, reviews, revocation tasks. */
export default function AccountsRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'findings';
  const systemId = params.get('systemId');
  const set = (next: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    setParams(p, { replace: true });
  };
  return (
    <>
      <PageHeader title={t('accounts.title')} description={t('accounts.description')} />
      <Tabs value={tab} onChange={(v) => set({ tab: v })} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="findings" data-testid="tab-findings">{t('accounts.tab.findings')}</Tabs.Tab>
          <Tabs.Tab value="accounts" data-testid="tab-accounts">{t('accounts.tab.accounts')}</Tabs.Tab>
          {can(me.data, 'account.import') ? <Tabs.Tab value="import" data-testid="tab-import">{t('accounts.tab.import')}</Tabs.Tab> : null}
          <Tabs.Tab value="reviews" data-testid="tab-reviews">{t('accounts.tab.reviews')}</Tabs.Tab>
          <Tabs.Tab value="tasks" data-testid="tab-tasks">{t('accounts.tab.tasks')}</Tabs.Tab>
          <Tabs.Tab value="mfa" data-testid="tab-mfa">{t('accounts.tab.mfa')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="findings"><FindingsList systemId={systemId} onSystem={(id) => set({ systemId: id })} /></Tabs.Panel>
        <Tabs.Panel value="accounts"><AccountsList systemId={systemId} onSystem={(id) => set({ systemId: id })} /></Tabs.Panel>
        <Tabs.Panel value="import"><ImportWizard onShowFindings={(id) => set({ tab: 'findings', systemId: id })} /></Tabs.Panel>
        <Tabs.Panel value="reviews">
          <MyReviews />
          <div style={{ height: 24 }} />
          <Campaigns canManage={can(me.data, 'account.review_manage')} />
        </Tabs.Panel>
        <Tabs.Panel value="tasks"><TasksList /></Tabs.Panel>
        <Tabs.Panel value="mfa"><MfaCoverageCard /></Tabs.Panel>
      </Tabs>
    </>
  );
}
