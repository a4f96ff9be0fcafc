import { Button, Stack, Tabs, Text, TextInput } from '@mantine/core';
import { IconDeviceMobile, IconKey, IconLifebuoy } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuthState, MfaMethod } from '../../../contracts/auth.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { authApi } from './api.js';
import { authenticateWithPasskey } from './passkeys.js';

/** Second step of login: a TOTP code, a passkey or a one-time recovery code. */
export function MfaChallenge({ methods, onDone }: { methods: MfaMethod[]; onDone: (state: AuthState) => void }) {
  const { t } = useTranslation();
  const [totp, setTotp] = useState('');
  const [recovery, setRecovery] = useState('');
  const totpM = useMutation({ mutationFn: authApi.mfaTotp, onSuccess: onDone });
  const recoveryM = useMutation({ mutationFn: authApi.mfaRecovery, onSuccess: onDone });
  const passkeyM = useMutation({ mutationFn: authenticateWithPasskey, onSuccess: onDone });
  const has = (m: MfaMethod) => methods.length === 0 || methods.includes(m);
  const first: MfaMethod = has('totp') ? 'totp' : has('webauthn') ? 'webauthn' : 'recovery';
  return (
    <Tabs defaultValue={first}>
      <Tabs.List mb="md">
        {has('totp') ? (
          <Tabs.Tab value="totp" leftSection={<IconDeviceMobile size={16} />}>
            {t('auth.mfa.totpTab')}
          </Tabs.Tab>
        ) : null}
        {has('webauthn') ? (
          <Tabs.Tab value="webauthn" leftSection={<IconKey size={16} />} data-testid="mfa-passkey-tab">
            {t('auth.mfa.passkeyTab')}
          </Tabs.Tab>
        ) : null}
        <Tabs.Tab value="recovery" leftSection={<IconLifebuoy size={16} />} data-testid="mfa-recovery-tab">
          {t('auth.mfa.recoveryTab')}
        </Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="totp">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (/^\d{6}$/.test(totp)) totpM.mutate(totp);
          }}
        >
          <Stack>
            <TextInput
              label={t('auth.mfa.totpLabel')}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              autoFocus
              value={totp}
              onChange={(e) => setTotp(e.currentTarget.value.replace(/\D/g, ''))}
              data-testid="mfa-totp-code"
            />
            <ErrorAlert error={totpM.error} />
            <Button type="submit" loading={totpM.isPending} disabled={totp.length !== 6} data-testid="mfa-totp-submit">
              {t('auth.mfa.verify')}
            </Button>
          </Stack>
        </form>
      </Tabs.Panel>
      <Tabs.Panel value="webauthn">
        <Stack>
          <Text size="sm">{t('auth.mfa.passkeyExplain')}</Text>
          <ErrorAlert error={passkeyM.error} />
          <Button onClick={() => passkeyM.mutate()} loading={passkeyM.isPending} leftSection={<IconKey size={16} />} data-testid="mfa-passkey-submit">
            {t('auth.mfa.usePasskey')}
          </Button>
        </Stack>
      </Tabs.Panel>
      <Tabs.Panel value="recovery">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (recovery.trim()) recoveryM.mutate(recovery.trim());
          }}
        >
          <Stack>
            <TextInput label={t('auth.mfa.recoveryLabel')} value={recovery} onChange={(e) => setRecovery(e.currentTarget.value)} data-testid="mfa-recovery-code" />
            <ErrorAlert error={recoveryM.error} />
            <Button type="submit" loading={recoveryM.isPending} disabled={!recovery.trim()} data-testid="mfa-recovery-submit">
              {t('auth.mfa.verify')}
            </Button>
          </Stack>
        </form>
      </Tabs.Panel>
    </Tabs>
  );
}
