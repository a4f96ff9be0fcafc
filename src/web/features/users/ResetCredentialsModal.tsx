import { Alert, Button, Checkbox, Code, CopyButton, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { User } from '../../../contracts/org.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { useResetCredentials, type UserCreated } from './api.js';

/**
 * Issue a new one-time password for a user who forgot theirs, optionally removing their second factors
 * (lost phone or key). The reason records how their identity was checked; the password is shown once.
 */
export function ResetCredentialsModal({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation();
  const reset = useResetCredentials();
  const [reason, setReason] = useState('');
  const [resetMfa, setResetMfa] = useState(false);
  const [done, setDone] = useState<UserCreated | null>(null);
  return (
    <Modal opened onClose={onClose} title={t('users.reset.title', { name: user.displayName })} size="lg" closeOnClickOutside={!done}>
      {done ? (
        <Stack data-testid="reset-done">
          <Alert color="yellow" variant="light" title={t('users.initialPasswordTitle')}>
            {t('users.reset.explain', { username: user.username })}
          </Alert>
          <Group>
            <Code fz="lg" data-testid="reset-password">
              {done.initialPassword}
            </Code>
            <CopyButton value={done.initialPassword}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" onClick={copy}>
                  {copied ? t('common.copied') : t('common.copy')}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Button onClick={onClose}>{t('common.done')}</Button>
        </Stack>
      ) : (
        <Stack>
          <Text size="sm">{t('users.reset.intro')}</Text>
          <Textarea
            label={t('users.reset.reason')}
            description={t('users.reset.reasonHint')}
            withAsterisk
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            data-testid="reset-reason"
          />
          <Checkbox label={t('users.reset.mfa')} checked={resetMfa} onChange={(e) => setResetMfa(e.currentTarget.checked)} data-testid="reset-mfa" />
          <ErrorAlert error={reset.error} />
          <Button
            color="orange"
            disabled={reason.trim().length < 5}
            loading={reset.isPending}
            onClick={() => reset.mutate({ id: user.id, reason: reason.trim(), resetMfa }, { onSuccess: setDone })}
            data-testid="reset-submit"
          >
            {t('users.reset.submit')}
          </Button>
        </Stack>
      )}
    </Modal>
  );
}
