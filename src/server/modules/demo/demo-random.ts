/**
 * Small seeded PRNG for demo data. mulberry32: 32-bit state, good enough spread for test fixtures, and the
 * same seed always yields the same sequence on every platform (only 32-bit integer ops and Math.imul).
 * Never use it for anything security-related.
 */
export class DemoRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('DemoRandom.pick: empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks from `[value, weight]` pairs proportionally to weight. */
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of pairs) total += w;
    let r = this.next() * total;
    for (const [value, w] of pairs) {
      r -= w;
      if (r < 0) return value;
    }
    const last = pairs[pairs.length - 1];
    if (!last) throw new Error('DemoRandom.weighted: empty list');
    return last[0];
  }

  /** Digits string of the given length (leading zeros allowed). */
  digits(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += String(this.int(0, 9));
    return s;
  }
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 (UTC) for an ISO date `YYYY-MM-DD`. */
export function toDay(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
}

/** ISO date `YYYY-MM-DD` for a day number from {@link toDay}. */
export function fromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Random ISO date in [from, to] inclusive. */
export function randomDate(rng: DemoRandom, from: string, to: string): string {
  return fromDay(rng.int(toDay(from), toDay(to)));
}

/** Adds whole years to an ISO date (29 Feb falls back to 28 Feb). */
export function addYears(iso: string, years: number): string {
  const y = Number(iso.slice(0, 4)) + years;
  const md = iso.slice(5) === '02-29' ? '02-28' : iso.slice(5);
  return `${String(y).padStart(4, '0')}-${md}`;
}

/** Lower-case ASCII fold of Vietnamese text: "Đặng Thị Thuỷ" → "dang thi thuy". */
export function asciiFold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}

/** URL/key-safe slug: "Chư Păh" → "chu-pah". */
export function slugify(text: string): string {
  return asciiFold(text)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
