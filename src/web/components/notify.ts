import { notifications } from '@mantine/notifications';
import { errorMessage } from './ErrorAlert.js';
import i18n from '../i18n/index.js';

export function notifySuccess(message: string): void {
  notifications.show({ color: 'green', message, autoClose: 4000 });
}

export function notifyError(error: unknown): void {
  notifications.show({ color: 'red', title: i18n.t('common.error'), message: errorMessage(error, i18n.t('common.unexpectedError')), autoClose: 8000 });
}
