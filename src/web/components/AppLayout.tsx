import { AppShell, Badge, Burger, Button, Center, Group, Loader, Menu, NavLink, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconChevronDown, IconLogout, IconShieldLock, IconUserCog } from '@tabler/icons-react';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { authApi, useLogout, useMe } from '../features/auth/api.js';
import { changeLocale, currentLocale } from '../i18n/index.js';
import { ErrorAlert } from './ErrorAlert.js';
import { CHOSEN_BEFORE_LOGIN, LanguageSwitch } from './LanguageSwitch.js';
import { NAV } from './nav.js';
import { can } from './permissions.js';

/** The signed-in frame: module navigation on the left, user, unit, language and logout on top. */
export function AppLayout() {
  const { t } = useTranslation();
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const logout = useLogout();
  const [opened, { toggle, close }] = useDisclosure();
  const appliedLocaleFor = useRef<string | null>(null);

  // Once per sign-in: a language picked on the login page is saved on the user; otherwise the user's
  // saved language applies.
  useEffect(() => {
    const user = me.data?.user;
    if (!user || me.data?.stage !== 'active' || appliedLocaleFor.current === user.id) return;
    appliedLocaleFor.current = user.id;
    const chosen = sessionStorage.getItem(CHOSEN_BEFORE_LOGIN);
    sessionStorage.removeItem(CHOSEN_BEFORE_LOGIN);
    if (chosen === 'vi' || chosen === 'en') {
      if (chosen !== user.locale) authApi.setLocale(chosen).catch(() => undefined);
    } else if (user.locale !== currentLocale()) void changeLocale(user.locale);
  }, [me.data]);

  if (me.isLoading) {
    return (
      <Center mih="100vh">
        <Loader />
      </Center>
    );
  }
  if (me.error) {
    return (
      <Center mih="100vh" p="md">
        <ErrorAlert error={me.error} />
      </Center>
    );
  }
  if (!me.data || me.data.stage !== 'active') return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  const user = me.data;

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 270, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.toggle')} />
            <IconShieldLock size={28} color="var(--mantine-color-blue-7)" />
            <Text fw={700} size="lg">
              {t('app.name')}
            </Text>
            <Text size="sm" c="dimmed" visibleFrom="md">
              {t('app.province')}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LanguageSwitch signedIn />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton data-testid="user-menu">
                  <Group gap={6} wrap="nowrap">
                    <Stack gap={0} align="flex-end">
                      <Text size="sm" fw={600} data-testid="user-name">
                        {user.user.displayName}
                      </Text>
                      <Text size="xs" c="dimmed" visibleFrom="sm" data-testid="user-unit">
                        {user.user.unitName}
                      </Text>
                    </Stack>
                    <IconChevronDown size={14} />
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item component={Link} to="/account" leftSection={<IconUserCog size={16} />}>
                  {t('nav.account')}
                </Menu.Item>
                <Menu.Item
                  color="red"
                  leftSection={<IconLogout size={16} />}
                  data-testid="logout"
                  onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) })}
                >
                  {t('auth.logout')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
            <Button
              variant="subtle"
              size="xs"
              visibleFrom="lg"
              leftSection={<IconLogout size={16} />}
              data-testid="logout-button"
              onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) })}
            >
              {t('auth.logout')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <AppShell.Section grow component={ScrollArea}>
          {NAV.map((group, gi) => {
            const items = group.items.filter((i) => !i.path || !i.permission || can(user, i.permission));
            if (items.length === 0) return null;
            return (
              <div key={group.key ?? `g${gi}`} style={{ marginBottom: 6 }}>
                {group.key ? (
                  <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="sm" pb={4}>
                    {t(group.labelKey ?? `nav.group.${group.key}`)}
                  </Text>
                ) : null}
                {items.map((item) => {
                  const Icon = item.icon;
                  if (!item.path) {
                    return (
                      <NavLink
                        key={item.key}
                        label={t(item.labelKey ?? `nav.${item.key}`)}
                        leftSection={<Icon size={18} stroke={1.5} />}
                        rightSection={
                          <Badge size="xs" variant="light" color="gray">
                            {t('common.soon')}
                          </Badge>
                        }
                        disabled
                        data-testid={`nav-${item.key}`}
                      />
                    );
                  }
                  const active = item.path === '/' ? location.pathname === '/' : location.pathname.startsWith(item.path);
                  return (
                    <NavLink
                      key={item.key}
                      component={Link}
                      to={item.path}
                      label={t(item.labelKey ?? `nav.${item.key}`)}
                      leftSection={<Icon size={18} stroke={1.5} />}
                      active={active}
                      onClick={close}
                      data-testid={`nav-${item.key}`}
                    />
                  );
                })}
              </div>
            );
          })}
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
