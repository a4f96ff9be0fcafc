import { Button, List, PasswordInput, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { AuthState } from '../../../contracts/auth.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { authApi } from './api.js';

/** Change of password: forced at first login and available from the account page. */
export function PasswordChangeForm({ onDone, submitLabel }: { onDone: (state: AuthState) => void; submitLabel?: string }) {
  const { t } = useTranslation();
  const form = useForm({
    initialValues: { currentPassword: '', newPassword: '', confirm: '' },
    validate: {
      currentPassword: (v) => (v ? null : t('validation.required')),
      newPassword: (v) => (v.length >= 12 ? null : t('auth.policy.minLength')),
      confirm: (v, values) => (v === values.newPassword ? null : t('auth.passwordMismatch')),
    },
  });
  const change = useMutation({
    mutationFn: (v: { currentPassword: string; newPassword: string }) => authApi.changePassword(v),
    onSuccess: (state) => {
      form.reset();
      onDone(state);
    },
  });
  return (
    <form onSubmit={form.onSubmit((v) => change.mutate({ currentPassword: v.currentPassword, newPassword: v.newPassword }))} data-testid="password-form">
      <Stack>
        <Text size="sm">{t('auth.policy.title')}</Text>
        <List size="sm" c="dimmed">
          <List.Item>{t('auth.policy.minLength')}</List.Item>
          <List.Item>{t('auth.policy.notCommon')}</List.Item>
          <List.Item>{t('auth.policy.noUsername')}</List.Item>
        </List>
        <PasswordInput label={t('auth.currentPassword')} autoComplete="current-password" data-testid="password-current" {...form.getInputProps('currentPassword')} />
        <PasswordInput label={t('auth.newPassword')} autoComplete="new-password" data-testid="password-new" {...form.getInputProps('newPassword')} />
        <PasswordInput label={t('auth.confirmPassword')} autoComplete="new-password" data-testid="password-confirm" {...form.getInputProps('confirm')} />
        <ErrorAlert error={change.error} title={t('auth.passwordRejected')} />
        <Button type="submit" loading={change.isPending} data-testid="password-submit">
          {submitLabel ?? t('auth.changePassword')}
        </Button>
      </Stack>
    </form>
  );
}
