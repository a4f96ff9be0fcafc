import i18n from '../i18n/index.js';

/** Numbers grouped the way the reader expects: 2.996 in Vietnamese, 2,996 in English. */
export function formatNumber(n: number): string {
  return n.toLocaleString(i18n.language === 'en' ? 'en-GB' : 'vi-VN');
}

/** Dates shown the Vietnamese way (dd/MM/yyyy), whatever the UI language. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (m && value.length === 10) return `${m[3]}/${m[2]}/${m[1]}`;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${formatDate(value)} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Today as YYYY-MM-DD in local time (for date inputs). */
export function todayIso(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
