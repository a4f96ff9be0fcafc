import { TextInput, type TextInputProps } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** `26/11/2026` → `2026-11-26`; anything else is returned as typed (and fails validation). */
export function parseVnDate(text: string): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (!m) return text;
  const iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(iso) ? iso : text;
}

function display(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : value;
}

type Props = Omit<TextInputProps, 'value' | 'onChange'> & { value?: string | null; onChange: (iso: string) => void };

/**
 * A date typed the Vietnamese way (dd/MM/yyyy) whatever the browser's language; the value is ISO
 * (YYYY-MM-DD) as the API expects. Native date inputs follow the browser locale (often mm/dd/yyyy).
 */
export function DateField({ value, onChange, ...rest }: Props) {
  const { t } = useTranslation();
  return (
    <TextInput
      placeholder={t('common.datePlaceholder')}
      inputMode="numeric"
      maxLength={10}
      {...rest}
      value={display(value ?? '')}
      onChange={(e) => onChange(parseVnDate(e.currentTarget.value))}
    />
  );
}
