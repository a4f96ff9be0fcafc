import { Alert, Box, Button, Code, Group, Loader, Stack, Tabs, Text, TextInput } from '@mantine/core';
import { IconDeviceMobile, IconKey } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { authApi } from './api.js';
import { registerPasskey } from './passkeys.js';
import { RecoveryCodesPanel } from './RecoveryCodesPanel.js';

/** Split the base32 secret in groups of four so it can be typed into an authenticator by hand. */
function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * Second-factor enrolment: a TOTP authenticator (QR + secret in text, then a code to confirm) or a passkey.
 * Used at first login (stage `mfa_enrolment`) and for re-enrolment from the account page.
 */
export function MfaEnrolment({ onDone, allowPasskey = true }: { onDone: () => void; allowPasskey?: boolean }) {
  const { t } = useTranslation();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [passkeyName, setPasskeyName] = useState(t('auth.passkey.defaultName'));
  const enrol = useMutation({ mutationFn: authApi.totpEnrol });
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    enrol.mutate();
  }, [enrol]);
  // Codes come with the first factor (shown once); on re-enrolment the user keeps the codes they have (null).
  const showCodesOrDone = (recoveryCodes: string[] | null) => (recoveryCodes && recoveryCodes.length > 0 ? setCodes(recoveryCodes) : onDone());
  const confirm = useMutation({ mutationFn: authApi.totpConfirm, onSuccess: (r) => showCodesOrDone(r.recoveryCodes) });
  const passkey = useMutation({
    mutationFn: () => registerPasskey(passkeyName.trim() || t('auth.passkey.defaultName')),
    onSuccess: showCodesOrDone,
  });

  if (codes) return <RecoveryCodesPanel codes={codes} onDone={onDone} />;

  return (
    <Tabs defaultValue="totp" keepMounted={false}>
      <Tabs.List mb="md">
        <Tabs.Tab value="totp" leftSection={<IconDeviceMobile size={16} />}>
          {t('auth.enrol.totpTab')}
        </Tabs.Tab>
        {allowPasskey ? (
          <Tabs.Tab value="passkey" leftSection={<IconKey size={16} />}>
            {t('auth.enrol.passkeyTab')}
          </Tabs.Tab>
        ) : null}
      </Tabs.List>
      <Tabs.Panel value="totp">
        <Stack>
          <Text size="sm">{t('auth.enrol.step1')}</Text>
          {enrol.isPending ? <Loader /> : null}
          <ErrorAlert error={enrol.error} />
          {enrol.data ? (
            <>
              <Group justify="center">
                <Box
                  w={200}
                  h={200}
                  style={{ background: 'white', padding: 4 }}
                  data-testid="totp-qr"
                  // The SVG comes from our own server (QR of the otpauth URL), not from user input.
                  dangerouslySetInnerHTML={{ __html: enrol.data.qrSvg.replace('<svg', '<svg width="100%" height="100%"') }}
                />
              </Group>
              <Text size="sm">{t('auth.enrol.manual')}</Text>
              <Code block fz="md" ta="center">
                <span data-testid="totp-secret" data-secret={enrol.data.secret}>
                  {groupSecret(enrol.data.secret)}
                </span>
              </Code>
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  if (/^\d{6}$/.test(code)) confirm.mutate(code);
                }}
              >
                <Stack>
                  <TextInput
                    label={t('auth.enrol.step2')}
                    inputMode="numeric"
                    autoComplete="one-time-code"
                    maxLength={6}
                    value={code}
                    onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, ''))}
                    data-testid="totp-confirm-code"
                    error={code.length > 0 && code.length < 6 ? t('auth.sixDigits') : null}
                  />
                  <ErrorAlert error={confirm.error} />
                  <Button type="submit" loading={confirm.isPending} disabled={code.length !== 6} data-testid="totp-confirm-submit">
                    {t('auth.enrol.confirm')}
                  </Button>
                </Stack>
              </form>
            </>
          ) : null}
        </Stack>
      </Tabs.Panel>
      {allowPasskey ? (
        <Tabs.Panel value="passkey">
          <Stack>
            <Alert variant="light" color="blue">
              {t('auth.enrol.passkeyExplain')}
            </Alert>
            <TextInput label={t('auth.passkey.name')} value={passkeyName} onChange={(e) => setPasskeyName(e.currentTarget.value)} />
            <ErrorAlert error={passkey.error} />
            <Button onClick={() => passkey.mutate()} loading={passkey.isPending} leftSection={<IconKey size={16} />}>
              {t('auth.passkey.register')}
            </Button>
          </Stack>
        </Tabs.Panel>
      ) : null}
    </Tabs>
  );
}
