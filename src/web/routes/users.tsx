import { ActionIcon, Anchor, Badge, Button, Group, Loader, Menu, Paper, ScrollArea, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDots, IconKey, IconPlus, IconSearch, IconUserOff } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime } from '../components/format.js';
import { notifyError, notifySuccess } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { useOrgUnits } from '../features/org-units/api.js';
import { useSetUserStatus, useUsers } from '../features/users/api.js';
import { CreateUserModal } from '../features/users/CreateUserModal.js';
import { ResetCredentialsModal } from '../features/users/ResetCredentialsModal.js';
import { UserDrawer } from '../features/users/UserDrawer.js';

/** /users — platform accounts, their role grants at org units, and their sessions. */
export default function UsersRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const [q, setQ] = useState('');
  const [debouncedQ] = useDebouncedValue(q, 300);
  const users = useUsers(debouncedQ.trim());
  const units = useOrgUnits(false);
  const setStatus = useSetUserStatus();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<string | null>(null);
  const canWrite = can(me.data, 'user.write');
  const selected = users.data?.find((u) => u.id === selectedId) ?? null;

  return (
    <>
      <PageHeader
        title={t('users.title')}
        description={t('users.description')}
        actions={
          canWrite ? (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="user-create">
              {t('users.create')}
            </Button>
          ) : null
        }
      />
      <Paper withBorder p="md">
        <Group mb="md">
          <TextInput leftSection={<IconSearch size={16} />} placeholder={t('users.search')} value={q} onChange={(e) => setQ(e.currentTarget.value)} w={340} />
          {users.isFetching ? <Loader size="xs" /> : null}
        </Group>
        <ErrorAlert error={users.error} />
        <ScrollArea>
          <Table striped highlightOnHover miw={980} data-testid="users-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('users.field.displayName')}</Table.Th>
                <Table.Th>{t('users.field.username')}</Table.Th>
                <Table.Th>{t('users.field.unit')}</Table.Th>
                <Table.Th>{t('users.grants')}</Table.Th>
                <Table.Th>{t('users.mfa')}</Table.Th>
                <Table.Th>{t('users.lastLogin')}</Table.Th>
                <Table.Th>{t('users.field.status')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data?.map((u) => (
                <Table.Tr key={u.id} data-testid="user-row">
                  <Table.Td>
                    <Anchor component="button" onClick={() => setSelectedId(u.id)} fw={500} ta="left">
                      {u.displayName}
                    </Anchor>
                  </Table.Td>
                  <Table.Td ff="monospace">{u.username}</Table.Td>
                  <Table.Td>{u.unitName}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {u.grants.map((g) => (
                        <Badge key={g.id} size="sm" variant="light" title={g.unitName}>
                          {t(`role.${g.role}`)}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Badge size="sm" color={u.mfaEnrolled ? 'green' : 'red'} variant="light">
                      {u.mfaEnrolled ? t('users.mfaOn') : t('users.mfaOff')}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{formatDateTime(u.lastLoginAt)}</Table.Td>
                  <Table.Td>
                    <Badge size="sm" color={u.status === 'active' ? 'green' : 'gray'}>
                      {t(`userStatus.${u.status}`)}
                    </Badge>
                    {u.lockedUntil && Date.parse(u.lockedUntil) > Date.now() ? (
                      <Text size="xs" c="red">
                        {t('users.lockedUntil', { at: formatDateTime(u.lockedUntil) })}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    {canWrite && u.id !== me.data?.user.id ? (
                      <Menu position="bottom-end" withinPortal>
                        <Menu.Target>
                          <ActionIcon variant="subtle" aria-label={t('users.actions')} data-testid="user-actions">
                            <IconDots size={16} />
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Item leftSection={<IconKey size={14} />} onClick={() => setResetting(u.id)} data-testid="user-reset">
                            {t('users.reset.action')}
                          </Menu.Item>
                          <Menu.Item
                            color={u.status === 'active' ? 'red' : 'green'}
                            leftSection={<IconUserOff size={14} />}
                            onClick={() =>
                              setStatus.mutate(
                                { id: u.id, status: u.status === 'active' ? 'disabled' : 'active' },
                                { onSuccess: () => notifySuccess(t('users.statusChanged')), onError: notifyError },
                              )
                            }
                          >
                            {u.status === 'active' ? t('users.disable') : t('users.enable')}
                          </Menu.Item>
                        </Menu.Dropdown>
                      </Menu>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      </Paper>
      <UserDrawer
        user={selected}
        units={units.data ?? []}
        onClose={() => setSelectedId(null)}
        canGrant={can(me.data, 'role_grant.write')}
        canRevoke={can(me.data, 'session.revoke_any')}
      />
      {resetting && users.data?.find((u) => u.id === resetting) ? (
        <ResetCredentialsModal user={users.data.find((u) => u.id === resetting)!} onClose={() => setResetting(null)} />
      ) : null}
      {creating ? <CreateUserModal opened onClose={() => setCreating(false)} units={units.data ?? []} /> : null}
    </>
  );
}
