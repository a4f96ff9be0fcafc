import { describe, expect, it } from 'vitest';
import { DEFAULT_NORMALISE, normaliseText, normaliseValue, rowHash } from './normalise.js';
import { compareCodePoints, compareDecimals } from './order.js';

describe('normaliseValue', () => {
  it('trims and collapses whitespace and composes Unicode (NFC)', () => {
    const nfd = 'Nguye\u0302\u0303n  Va\u0306n\tA'; // "Nguyễn Văn A" decomposed, with a double space and a tab
    expect(normaliseText(`  ${nfd} `)).toBe('Nguyễn Văn A');
    expect(normaliseText('Nguyễn Văn A')).toBe('Nguyễn Văn A');
  });

  it('canonicalises numbers but keeps codes with leading zeros as text', () => {
    for (const v of ['1', '1.0', '1.000', '+1', '1e0', 1, 1.0, 1n]) expect(normaliseValue(v)).toBe('1');
    expect(normaliseValue('-0.50')).toBe('-0.5');
    expect(normaliseValue('-0')).toBe('0');
    expect(normaliseValue('1.5e3')).toBe('1500');
    expect(normaliseValue('12345678901234567890.10')).toBe('12345678901234567890.1');
    expect(normaliseValue('0.25')).toBe('0.25');
    expect(normaliseValue('0905123456')).toBe('0905123456');
    expect(normaliseValue('007')).not.toBe(normaliseValue('7'));
  });

  it('accepts the Vietnamese decimal comma only when asked', () => {
    expect(normaliseText('1,5')).toBe('1,5');
    expect(normaliseText('1,5', { ...DEFAULT_NORMALISE, decimalComma: true })).toBe('1.5');
  });

  it('canonicalises dates and timestamps to ISO in UTC', () => {
    expect(normaliseValue('05/07/2025')).toBe('2025-07-05');
    expect(normaliseValue('5/7/2025')).toBe('2025-07-05');
    expect(normaliseValue('2025-07-05')).toBe('2025-07-05');
    expect(normaliseValue(new Date(Date.UTC(2025, 6, 5)))).toBe('2025-07-05');
    expect(normaliseValue('2025-07-01 08:30:00+07')).toBe('2025-07-01T01:30:00Z');
    expect(normaliseValue('2025-07-01T01:30:00.000Z')).toBe('2025-07-01T01:30:00Z');
    expect(normaliseValue(new Date('2025-07-01T01:30:00.250Z'))).toBe('2025-07-01T01:30:00.25Z');
    expect(normaliseValue('2025-07-01 08:30:00.123456+07:00')).toBe('2025-07-01T01:30:00.123456Z');
    // A zone-less timestamp is read in the configured zone.
    expect(normaliseText('01/07/2025 08:30', { ...DEFAULT_NORMALISE, assumeTimezone: '+07:00' })).toBe('2025-07-01T01:30:00Z');
    expect(normaliseValue('31/02/2025')).toBe('31/02/2025'); // not a date: stays text
  });

  it('spells booleans as 1/0 like numeric flags', () => {
    for (const v of ['t', 'true', 'TRUE', true, 1, '1']) expect(normaliseValue(v)).toBe('1');
    for (const v of ['f', 'false', false, 0, '0']) expect(normaliseValue(v)).toBe('0');
  });

  it('treats empty as NULL by default, distinct when configured', () => {
    expect(normaliseValue('  ')).toBeNull();
    expect(normaliseValue(null)).toBeNull();
    expect(normaliseText(' ', { ...DEFAULT_NORMALISE, emptyIsNull: false })).toBe('');
  });

  it('hashes rows unambiguously', () => {
    expect(rowHash(['a b', 'c'])).not.toBe(rowHash(['a', 'b c']));
    expect(rowHash([null])).not.toBe(rowHash(['']));
    expect(rowHash(['x', '1'])).toBe(rowHash(['x', '1']));
  });
});

describe('key order', () => {
  it('compares text by code point (UTF-8 byte order) and numbers numerically', () => {
    expect(compareCodePoints('Z', 'a')).toBeLessThan(0);
    expect(compareCodePoints('\uffff', '\u{1f600}')).toBeLessThan(0); // BMP after surrogates in UTF-16, not in UTF-8
    expect(compareCodePoints('abc', 'ab')).toBeGreaterThan(0);
    expect(compareDecimals('9', '10')).toBeLessThan(0);
    expect(compareDecimals('-10', '-9')).toBeLessThan(0);
    expect(compareDecimals('1.25', '1.3')).toBeLessThan(0);
    expect(compareDecimals('2', '2')).toBe(0);
  });
});
