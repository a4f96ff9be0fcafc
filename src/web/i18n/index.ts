import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { z } from 'zod';
import en from './en.json' with { type: 'json' };
import vi from './vi.json' with { type: 'json' };

export type Locale = 'vi' | 'en';
const STORAGE_KEY = 'khien.locale';

function initialLocale(): Locale {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(STORAGE_KEY) : null;
  return saved === 'en' ? 'en' : 'vi';
}

/** Validation messages from the shared zod schemas follow the UI language. */
function applyZodLocale(locale: Locale): void {
  z.config(locale === 'en' ? z.locales.en() : z.locales.vi());
}

const lng = initialLocale();
applyZodLocale(lng);
void i18n.use(initReactI18next).init({
  resources: { vi: { translation: vi }, en: { translation: en } },
  lng,
  fallbackLng: 'vi',
  interpolation: { escapeValue: false },
  returnNull: false,
});

export async function changeLocale(locale: Locale): Promise<void> {
  localStorage.setItem(STORAGE_KEY, locale);
  applyZodLocale(locale);
  document.documentElement.lang = locale;
  await i18n.changeLanguage(locale);
}

export function currentLocale(): Locale {
  return i18n.language === 'en' ? 'en' : 'vi';
}

export default i18n;
