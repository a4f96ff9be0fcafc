import { Alert } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api-client.js';

/** The server's own message (Vietnamese) for an API error; a generic one otherwise. */
export function errorMessage(error: unknown, fallback: string): string {
  if (error instanceof ApiError) return error.message || fallback;
  if (error instanceof Error && error.message) return error.message;
  return fallback;
}

export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  const requestId = error instanceof ApiError ? error.requestId : null;
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={title ?? t('common.error')} data-testid="error-alert">
      {errorMessage(error, t('common.unexpectedError'))}
      {requestId ? (
        <div style={{ fontSize: 12, opacity: 0.7, marginTop: 4 }}>
          {t('common.requestId')}: {requestId}
        </div>
      ) : null}
    </Alert>
  );
}
