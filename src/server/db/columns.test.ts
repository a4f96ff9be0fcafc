import { describe, expect, it } from 'vitest';
import { isIsoDate, newId } from './columns.js';

describe('ids and dates', () => {
  it('makes RFC 9562 version-7 ids that sort by creation, even within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => newId(1_764_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 5)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newId(1_764_000_000_001) > ids[ids.length - 1]!).toBe(true);
  });

  it('accepts real calendar dates only', () => {
    expect(isIsoDate('2025-07-01')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('01/07/2025')).toBe(false);
  });
});
