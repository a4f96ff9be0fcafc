import type { z } from 'zod';

/**
 * Validate a form's values with a shared contract schema (the same one the server uses) and return the
 * errors keyed by field path, in the shape @mantine/form expects.
 */
export function zodValidator<S extends z.ZodType>(schema: S, transform?: (values: any) => unknown) {
  return (values: unknown): Record<string, string> => {
    const parsed = schema.safeParse(transform ? transform(values) : values);
    if (parsed.success) return {};
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const key = issue.path.join('.');
      if (!errors[key]) errors[key] = issue.message;
    }
    return errors;
  };
}

/** Empty strings from text inputs become null for optional (nullish) fields. */
export function blankToNull<T extends Record<string, unknown>>(values: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) out[k] = typeof v === 'string' && v.trim() === '' ? null : v;
  return out as T;
}
