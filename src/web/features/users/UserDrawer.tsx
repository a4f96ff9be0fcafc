import { ActionIcon, Badge, Button, Drawer, Group, Select, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconLogout, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLES, type Role } from '../../../contracts/roles.js';
import type { OrgUnit, User } from '../../../contracts/org.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatDateTime } from '../../components/format.js';
import { notifyError, notifySuccess } from '../../components/notify.js';
import { unitOptions } from '../org-units/labels.js';
import { useAddGrant, useRemoveGrant, useRevokeUserSessions, useUserSessions } from './api.js';

/** A user's role grants and sessions, with the actions an administrator may take on them. */
export function UserDrawer({
  user,
  units,
  onClose,
  canGrant,
  canRevoke,
}: {
  user: User | null;
  units: OrgUnit[];
  onClose: () => void;
  canGrant: boolean;
  canRevoke: boolean;
}) {
  const { t } = useTranslation();
  const [role, setRole] = useState<Role | null>(null);
  const [unitId, setUnitId] = useState<string | null>(null);
  const addGrant = useAddGrant();
  const removeGrant = useRemoveGrant();
  const sessions = useUserSessions(user?.id ?? null);
  const revoke = useRevokeUserSessions();
  return (
    <Drawer opened={!!user} onClose={onClose} position="right" size="xl" title={user ? `${user.displayName} (${user.username})` : ''}>
      {user ? (
        <Stack>
          <Title order={5}>{t('users.grants')}</Title>
          {user.grants.length === 0 ? <Text c="dimmed">{t('users.noGrants')}</Text> : null}
          <Table data-testid="grant-table">
            <Table.Tbody>
              {user.grants.map((g) => (
                <Table.Tr key={g.id}>
                  <Table.Td>
                    <Badge variant="light">{t(`role.${g.role}`)}</Badge>
                  </Table.Td>
                  <Table.Td>{g.unitName}</Table.Td>
                  <Table.Td w={40}>
                    {canGrant ? (
                      <Tooltip label={t('users.removeGrant')}>
                        <ActionIcon
                          color="red"
                          variant="subtle"
                          aria-label={t('users.removeGrant')}
                          onClick={() => removeGrant.mutate({ userId: user.id, grantId: g.id }, { onSuccess: () => { notifySuccess(t('users.grantRemoved')); }, onError: notifyError })}
                        >
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Tooltip>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {canGrant ? (
            <Group align="flex-end" wrap="wrap">
              <Select label={t('users.role')} data={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} value={role} onChange={(v) => setRole(v as Role | null)} w={220} data-testid="grant-role" />
              <Select label={t('users.atUnit')} searchable data={unitOptions(units, t)} value={unitId} onChange={setUnitId} style={{ flex: 1, minWidth: 220 }} data-testid="grant-unit" />
              <Button
                data-testid="grant-submit"
                disabled={!role || !unitId}
                loading={addGrant.isPending}
                onClick={() =>
                  role &&
                  unitId &&
                  addGrant.mutate({ userId: user.id, role, unitId }, { onSuccess: () => { notifySuccess(t('users.grantAdded')); setRole(null); } })
                }
              >
                {t('users.addGrant')}
              </Button>
            </Group>
          ) : null}
          <ErrorAlert error={addGrant.error} />

          <Group justify="space-between" mt="md">
            <Title order={5}>{t('sessions.title')}</Title>
            {canRevoke ? (
              <Button
                size="xs"
                color="red"
                variant="light"
                leftSection={<IconLogout size={14} />}
                loading={revoke.isPending}
                onClick={() => revoke.mutate(user.id, { onSuccess: () => { notifySuccess(t('sessions.revoked')); void sessions.refetch(); }, onError: notifyError })}
              >
                {t('sessions.revokeAll')}
              </Button>
            ) : null}
          </Group>
          <ErrorAlert error={sessions.error} />
          {sessions.data?.length === 0 ? <Text c="dimmed">{t('sessions.none')}</Text> : null}
          {sessions.data && sessions.data.length > 0 ? (
            <Table fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('sessions.started')}</Table.Th>
                  <Table.Th>{t('sessions.lastSeen')}</Table.Th>
                  <Table.Th>{t('sessions.ip')}</Table.Th>
                  <Table.Th>{t('sessions.mfa')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sessions.data.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td>{formatDateTime(s.createdAt)}</Table.Td>
                    <Table.Td>{formatDateTime(s.lastSeenAt)}</Table.Td>
                    <Table.Td>{s.ip ?? '—'}</Table.Td>
                    <Table.Td>{s.mfaMethod ? t(`mfaMethod.${s.mfaMethod}`) : '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : null}
        </Stack>
      ) : null}
    </Drawer>
  );
}
