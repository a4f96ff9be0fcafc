import { Anchor, Center, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { IconShieldLock } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import type { AuthState, MfaMethod, SessionStage } from '../../contracts/auth.js';
import { LanguageSwitch } from '../components/LanguageSwitch.js';
import { authKeys, useLogout, useMe } from '../features/auth/api.js';
import { LoginForm } from '../features/auth/LoginForm.js';
import { MfaChallenge } from '../features/auth/MfaChallenge.js';
import { PasswordChangeForm } from '../features/auth/PasswordChangeForm.js';
import { MfaEnrolment } from '../features/auth/TotpEnrolment.js';

type Step = SessionStage | 'credentials';

/** /login — credentials, then whatever the session still needs: new password, MFA enrolment or MFA. */
export default function LoginRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const logout = useLogout();
  const [state, setState] = useState<AuthState | null>(null);

  const step: Step = state?.stage ?? me.data?.stage ?? 'credentials';
  const methods: MfaMethod[] =
    state?.methods ??
    (me.data
      ? [
          ...(me.data.factors.totp ? (['totp'] as const) : []),
          ...(me.data.factors.webauthn > 0 ? (['webauthn'] as const) : []),
          'recovery' as const,
        ]
      : []);

  useEffect(() => {
    if (step !== 'active') return;
    const from = (location.state as { from?: string } | null)?.from;
    void qc.invalidateQueries({ queryKey: authKeys.me() }).then(() => navigate(from && from !== '/login' ? from : '/', { replace: true }));
  }, [step, qc, navigate, location.state]);

  const finishEnrolment = () => setState((s) => ({ stage: 'active', methods: s?.methods ?? [], csrfToken: s?.csrfToken ?? '' }));

  let title = t('auth.loginTitle');
  let body = <LoginForm onDone={(s) => setState(s)} />;
  if (me.isLoading) body = <Loader />;
  else if (step === 'password_change') {
    title = t('auth.passwordChangeTitle');
    body = (
      <Stack>
        <Text size="sm">{t('auth.passwordChangeExplain')}</Text>
        <PasswordChangeForm onDone={setState} submitLabel={t('auth.changePasswordContinue')} />
      </Stack>
    );
  } else if (step === 'mfa_enrolment') {
    title = t('auth.enrolTitle');
    body = (
      <Stack>
        <Text size="sm">{t('auth.enrolExplain')}</Text>
        <MfaEnrolment onDone={finishEnrolment} />
      </Stack>
    );
  } else if (step === 'mfa') {
    title = t('auth.mfaTitle');
    body = <MfaChallenge methods={methods} onDone={setState} />;
  } else if (step === 'active') body = <Loader />;

  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Stack w="100%" maw={480} gap="md">
        <Group justify="space-between">
          <Group gap="xs">
            <IconShieldLock size={32} color="var(--mantine-color-blue-7)" />
            <div>
              <Title order={3}>{t('app.name')}</Title>
              <Text size="xs" c="dimmed">
                {t('app.tagline')}
              </Text>
            </div>
          </Group>
          <LanguageSwitch signedIn={false} />
        </Group>
        <Paper withBorder shadow="sm" p="lg" radius="md">
          <Title order={4} mb="md" data-testid="login-step-title" data-step={step}>
            {title}
          </Title>
          {body}
        </Paper>
        {step !== 'credentials' && step !== 'active' ? (
          <Anchor
            size="sm"
            ta="center"
            component="button"
            onClick={() => logout.mutate(undefined, { onSettled: () => setState(null) })}
          >
            {t('auth.cancelLogin')}
          </Anchor>
        ) : null}
      </Stack>
    </Center>
  );
}
