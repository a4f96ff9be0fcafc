import { Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { AuthState } from '../../../contracts/auth.js';
import { LoginRequestSchema } from '../../../contracts/auth.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { zodValidator } from '../../components/form.js';
import { authApi } from './api.js';

export function LoginForm({ onDone }: { onDone: (state: AuthState, username: string) => void }) {
  const { t } = useTranslation();
  const form = useForm({ initialValues: { username: '', password: '' }, validate: zodValidator(LoginRequestSchema) });
  const login = useMutation({ mutationFn: authApi.login, onSuccess: (state, vars) => onDone(state, vars.username) });
  return (
    <form onSubmit={form.onSubmit((v) => login.mutate(v))} data-testid="login-form">
      <Stack>
        <TextInput label={t('auth.username')} autoComplete="username" autoFocus data-testid="login-username" {...form.getInputProps('username')} />
        <PasswordInput label={t('auth.password')} autoComplete="current-password" data-testid="login-password" {...form.getInputProps('password')} />
        <ErrorAlert error={login.error} title={t('auth.loginFailed')} />
        <Button type="submit" loading={login.isPending} data-testid="login-submit">
          {t('auth.login')}
        </Button>
      </Stack>
    </form>
  );
}
