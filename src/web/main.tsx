import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './i18n/index.js';
import { Badge, Center, createTheme, Loader, MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ApiError, setUnauthenticatedHandler } from './components/api-client.js';
import { AppLayout } from './components/AppLayout.js';
import { authKeys } from './features/auth/api.js';
import DashboardRoute from './routes/dashboard.js';
import LoginRoute from './routes/login.js';
import NotFoundRoute from './routes/not-found.js';

// Pages beyond the first screen load on demand, keeping the login page light.
const AccountRoute = lazy(() => import('./routes/account.js'));
const AccountsRoute = lazy(() => import('./routes/accounts.js'));
const AssetsRoute = lazy(() => import('./routes/assets.js'));
const MergerRoute = lazy(() => import('./routes/merger.js'));
const SystemDetailRoute = lazy(() => import('./routes/systems-detail.js'));
const SystemsRoute = lazy(() => import('./routes/systems.js'));
const AuditRoute = lazy(() => import('./routes/audit.js'));
const AccessLogRoute = lazy(() => import('./routes/access-log.js'));
const OrgUnitsRoute = lazy(() => import('./routes/org-units.js'));
const PeopleRoute = lazy(() => import('./routes/people.js'));
const PersonRoute = lazy(() => import('./routes/person.js'));
const UsersRoute = lazy(() => import('./routes/users.js'));
const RulesRoute = lazy(() => import('./routes/rules.js'));
const SocAlertsRoute = lazy(() => import('./routes/soc-alerts.js'));
const SocAlertRoute = lazy(() => import('./routes/soc-alert.js'));
const SocEventsRoute = lazy(() => import('./routes/soc-events.js'));
const SocSourcesRoute = lazy(() => import('./routes/soc-sources.js'));
const VulnsRoute = lazy(() => import('./routes/vulns.js'));
const VulnFindingRoute = lazy(() => import('./routes/vuln-finding.js'));
const VulnImportsRoute = lazy(() => import('./routes/vuln-imports.js'));
const VulnDashboardRoute = lazy(() => import('./routes/vuln-dashboard.js'));
const VulnCoverageRoute = lazy(() => import('./routes/vuln-coverage.js'));
const CasesRoute = lazy(() => import('./routes/cases.js'));
const CaseDetailRoute = lazy(() => import('./routes/case-detail.js'));
const CaseDashboardRoute = lazy(() => import('./routes/case-dashboard.js'));
const PlaybooksRoute = lazy(() => import('./routes/playbooks.js'));
const NotificationsRoute = lazy(() => import('./routes/notifications.js'));

function Page({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <Center py="xl">
          <Loader />
        </Center>
      }
    >
      {children}
    </Suspense>
  );
}

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // An API error (4xx) will not change by retrying; only network failures are retried once.
      retry: (count, error) => count < 1 && error instanceof ApiError && error.status === 0,
      refetchOnWindowFocus: false,
    },
  },
});

const router = createBrowserRouter([
  { path: '/login', element: <LoginRoute /> },
  {
    path: '/',
    element: <AppLayout />,
    children: [
      { index: true, element: <DashboardRoute /> },
      { path: 'org-units', element: <Page><OrgUnitsRoute /></Page> },
      { path: 'people', element: <Page><PeopleRoute /></Page> },
      { path: 'people/:id', element: <Page><PersonRoute /></Page> },
      { path: 'users', element: <Page><UsersRoute /></Page> },
      { path: 'systems', element: <Page><SystemsRoute /></Page> },
      { path: 'systems/:id', element: <Page><SystemDetailRoute /></Page> },
      { path: 'assets', element: <Page><AssetsRoute /></Page> },
      { path: 'merger', element: <Page><MergerRoute /></Page> },
      { path: 'accounts', element: <Page><AccountsRoute /></Page> },
      { path: 'audit', element: <Page><AuditRoute /></Page> },
      { path: 'soc/alerts', element: <Page><SocAlertsRoute /></Page> },
      { path: 'soc/alerts/:id', element: <Page><SocAlertRoute /></Page> },
      { path: 'soc/events', element: <Page><SocEventsRoute /></Page> },
      { path: 'soc/sources', element: <Page><SocSourcesRoute /></Page> },
      { path: 'vulns', element: <Page><VulnsRoute /></Page> },
      { path: 'vulns/imports', element: <Page><VulnImportsRoute /></Page> },
      { path: 'vulns/dashboard', element: <Page><VulnDashboardRoute /></Page> },
      { path: 'vulns/coverage', element: <Page><VulnCoverageRoute /></Page> },
      { path: 'vulns/:id', element: <Page><VulnFindingRoute /></Page> },
      { path: 'cases', element: <Page><CasesRoute /></Page> },
      { path: 'cases/:id', element: <Page><CaseDetailRoute /></Page> },
      { path: 'case-dashboard', element: <Page><CaseDashboardRoute /></Page> },
      { path: 'playbooks', element: <Page><PlaybooksRoute /></Page> },
      { path: 'notifications', element: <Page><NotificationsRoute /></Page> },

      { path: 'access-log', element: <Page><AccessLogRoute /></Page> },
      { path: 'account', element: <Page><AccountRoute /></Page> },
      { path: 'soc/rules', element: <Page><RulesRoute /></Page> },
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
]);

// Any 401 from the API means the session is gone: forget the user and go to the login page.
setUnauthenticatedHandler(() => {
  queryClient.setQueryData(authKeys.me(), null);
  if (window.location.pathname !== '/login') void router.navigate('/login', { state: { from: window.location.pathname } });
});

const theme = createTheme({
  primaryColor: 'blue',
  fontFamily: 'Inter, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif',
  defaultRadius: 'sm',
  // Vietnamese reads badly in capitals (diacritics crowd the line): badges keep sentence case.
  // A badge is a short label: in a narrow table column it keeps its full width rather than shrinking to
  // an ellipsis ("Giám …" said nothing).
  components: { Badge: Badge.extend({ defaultProps: { tt: 'none' }, styles: { root: { minWidth: 'max-content' } } }) },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
