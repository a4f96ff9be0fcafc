import { ActionIcon, Badge, Button, Card, Grid, Group, Modal, PasswordInput, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { IconKey, IconLogout, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDate, formatDateTime } from '../components/format.js';
import { notifyError, notifySuccess } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { authApi, authKeys, useDeletePasskey, useEndMySession, useMe, useMySessions, usePasskeys } from '../features/auth/api.js';
import { registerPasskey } from '../features/auth/passkeys.js';
import { PasswordChangeForm } from '../features/auth/PasswordChangeForm.js';
import { RecoveryCodesPanel } from '../features/auth/RecoveryCodesPanel.js';
import { MfaEnrolment } from '../features/auth/TotpEnrolment.js';

function describeAgent(ua: string | null): string {
  if (!ua) return '—';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : ua.slice(0, 30);
  const os = /Windows/.test(ua) ? 'Windows' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} · ${os}` : browser;
}

/** /account — my password, second factors, recovery codes and sessions. */
export default function AccountRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const qc = useQueryClient();
  const sessions = useMySessions();
  const endSession = useEndMySession();
  const passkeys = usePasskeys();
  const deletePasskey = useDeletePasskey();
  const [reenrol, setReenrol] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [passkeyName, setPasskeyName] = useState('');
  const [regenPassword, setRegenPassword] = useState('');
  // Issuing new codes invalidates the old ones, so the server asks for the password again.
  const regen = useMutation({
    mutationFn: () => authApi.recoveryCodes(regenPassword),
    onSuccess: (r) => {
      setRegenPassword('');
      setCodes(r.recoveryCodes);
      void qc.invalidateQueries({ queryKey: authKeys.me() });
    },
  });
  const addPasskey = useMutation({
    mutationFn: () => registerPasskey(passkeyName.trim() || t('auth.passkey.defaultName')),
    onSuccess: () => {
      setPasskeyName('');
      notifySuccess(t('auth.passkey.added'));
      void qc.invalidateQueries({ queryKey: authKeys.passkeys() });
      void qc.invalidateQueries({ queryKey: authKeys.me() });
    },
  });
  const factors = me.data?.factors;

  return (
    <>
      <PageHeader title={t('account.title')} description={me.data ? `${me.data.user.displayName} · ${me.data.user.username}` : undefined} />
      <Grid>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Card withBorder>
            <Title order={5} mb="sm">
              {t('auth.changePassword')}
            </Title>
            <PasswordChangeForm onDone={() => notifySuccess(t('account.passwordChanged'))} />
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Stack>
            <Card withBorder>
              <Group justify="space-between" mb="xs">
                <Title order={5}>{t('account.totp')}</Title>
                <Badge color={factors?.totp ? 'green' : 'gray'} variant="light" data-testid="totp-status">
                  {factors?.totp ? t('account.enabled') : t('account.notEnabled')}
                </Badge>
              </Group>
              <Text size="sm" c="dimmed" mb="sm">
                {t('account.totpExplain')}
              </Text>
              <Button variant="light" onClick={() => setReenrol(true)}>
                {factors?.totp ? t('account.reenrol') : t('account.enrol')}
              </Button>
            </Card>

            <Card withBorder>
              <Title order={5} mb="xs">
                {t('account.passkeys')}
              </Title>
              <ErrorAlert error={passkeys.error} />
              {passkeys.data?.length === 0 ? (
                <Text size="sm" c="dimmed">
                  {t('account.noPasskeys')}
                </Text>
              ) : null}
              {passkeys.data && passkeys.data.length > 0 ? (
                <Table fz="sm" mb="sm" data-testid="passkey-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('auth.passkey.name')}</Table.Th>
                      <Table.Th>{t('account.added')}</Table.Th>
                      <Table.Th>{t('account.lastUsed')}</Table.Th>
                      <Table.Th />
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {passkeys.data.map((p) => (
                      <Table.Tr key={p.id}>
                        <Table.Td>{p.name}</Table.Td>
                        <Table.Td>{formatDate(p.createdAt)}</Table.Td>
                        <Table.Td>{formatDateTime(p.lastUsedAt)}</Table.Td>
                        <Table.Td w={40}>
                          <Tooltip label={t('common.delete')}>
                            <ActionIcon color="red" variant="subtle" aria-label={t('common.delete')} onClick={() => deletePasskey.mutate(p.id, { onError: notifyError })}>
                              <IconTrash size={16} />
                            </ActionIcon>
                          </Tooltip>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              ) : null}
              <Group align="flex-end" mt="xs">
                <TextInput label={t('auth.passkey.name')} placeholder={t('auth.passkey.defaultName')} value={passkeyName} onChange={(e) => setPasskeyName(e.currentTarget.value)} style={{ flex: 1 }} data-testid="passkey-name" />
                <Button leftSection={<IconKey size={16} />} loading={addPasskey.isPending} onClick={() => addPasskey.mutate()} data-testid="passkey-register">
                  {t('auth.passkey.register')}
                </Button>
              </Group>
              <ErrorAlert error={addPasskey.error} />
            </Card>

            <Card withBorder>
              <Group justify="space-between" mb="xs">
                <Title order={5}>{t('account.recoveryCodes')}</Title>
                <Badge variant="light" color={(factors?.recoveryCodesLeft ?? 0) > 2 ? 'green' : 'orange'}>
                  {t('account.codesLeft', { count: factors?.recoveryCodesLeft ?? 0 })}
                </Badge>
              </Group>
              <Text size="sm" c="dimmed" mb="sm">
                {t('account.recoveryExplain')}
              </Text>
              <Group align="flex-end">
                <PasswordInput
                  label={t('auth.currentPassword')}
                  value={regenPassword}
                  onChange={(e) => setRegenPassword(e.currentTarget.value)}
                  style={{ flex: 1 }}
                  data-testid="regen-password"
                />
                <Button variant="light" color="orange" loading={regen.isPending} disabled={!regenPassword} onClick={() => regen.mutate()} data-testid="regen-codes">
                  {t('account.regenerate')}
                </Button>
              </Group>
              <ErrorAlert error={regen.error} />
            </Card>
          </Stack>
        </Grid.Col>
        <Grid.Col span={12}>
          <Card withBorder>
            <Title order={5} mb="sm">
              {t('sessions.mine')}
            </Title>
            <ErrorAlert error={sessions.error} />
            <Table fz="sm" data-testid="my-sessions">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('sessions.device')}</Table.Th>
                  <Table.Th>{t('sessions.ip')}</Table.Th>
                  <Table.Th>{t('sessions.started')}</Table.Th>
                  <Table.Th>{t('sessions.lastSeen')}</Table.Th>
                  <Table.Th>{t('sessions.expires')}</Table.Th>
                  <Table.Th>{t('sessions.mfa')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sessions.data?.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td>
                      {describeAgent(s.userAgent)}{' '}
                      {s.current ? (
                        <Badge size="xs" ml={4}>
                          {t('sessions.current')}
                        </Badge>
                      ) : null}
                    </Table.Td>
                    <Table.Td ff="monospace">{s.ip ?? '—'}</Table.Td>
                    <Table.Td>{formatDateTime(s.createdAt)}</Table.Td>
                    <Table.Td>{formatDateTime(s.lastSeenAt)}</Table.Td>
                    <Table.Td>{formatDateTime(s.expiresAt)}</Table.Td>
                    <Table.Td>{s.mfaMethod ? t(`mfaMethod.${s.mfaMethod}`) : '—'}</Table.Td>
                    <Table.Td>
                      {!s.current ? (
                        <Button size="compact-xs" variant="light" color="red" leftSection={<IconLogout size={12} />} onClick={() => endSession.mutate(s.id, { onError: notifyError })}>
                          {t('sessions.end')}
                        </Button>
                      ) : null}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        </Grid.Col>
      </Grid>

      <Modal opened={reenrol} onClose={() => setReenrol(false)} title={t('account.totp')} size="lg">
        {reenrol ? (
          <MfaEnrolment
            allowPasskey={false}
            onDone={() => {
              setReenrol(false);
              notifySuccess(t('account.totpEnrolled'));
              void qc.invalidateQueries({ queryKey: authKeys.me() });
            }}
          />
        ) : null}
      </Modal>
      <Modal opened={!!codes} onClose={() => setCodes(null)} title={t('account.recoveryCodes')} closeOnClickOutside={false}>
        {codes ? <RecoveryCodesPanel codes={codes} onDone={() => { setCodes(null); void qc.invalidateQueries({ queryKey: authKeys.me() }); }} /> : null}
      </Modal>
    </>
  );
}
