import { SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { authApi } from '../features/auth/api.js';
import { changeLocale, type Locale } from '../i18n/index.js';

export const CHOSEN_BEFORE_LOGIN = 'khien.locale.chosenBeforeLogin';

/** VI/EN switch; when signed in the choice is also saved on the user (PUT /auth/locale). */
export function LanguageSwitch({ signedIn }: { signedIn: boolean }) {
  const { i18n, t } = useTranslation();
  const value: Locale = i18n.language === 'en' ? 'en' : 'vi';
  return (
    <SegmentedControl
      size="xs"
      value={value}
      aria-label={t('common.language')}
      data-testid="language-switch"
      data={[
        { value: 'vi', label: 'VI' },
        { value: 'en', label: 'EN' },
      ]}
      onChange={(v) => {
        const locale: Locale = v === 'en' ? 'en' : 'vi';
        void changeLocale(locale);
        if (signedIn) authApi.setLocale(locale).catch(() => undefined);
        // Chosen before signing in: saved on the user once the session is active (see AppLayout).
        else sessionStorage.setItem(CHOSEN_BEFORE_LOGIN, locale);
      }}
    />
  );
}
