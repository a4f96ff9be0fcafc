import type { TFunction } from 'i18next';

/**
 * Label for a stable code such as `auth.login` under a dictionary (`auditAction`), falling back to the raw
 * code. Codes contain dots, so the dictionary is read as a flat object rather than as a nested key path.
 */
export function codeLabel(t: TFunction, dictionary: string, code: string, fallback?: string): string {
  const labels = t(dictionary, { returnObjects: true }) as unknown;
  const label = labels && typeof labels === 'object' ? (labels as Record<string, unknown>)[code] : undefined;
  return typeof label === 'string' ? label : (fallback ?? code);
}
