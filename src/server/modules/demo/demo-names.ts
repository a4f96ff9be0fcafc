import type { DemoNames } from './demo-lists.js';
import { asciiFold, type DemoRandom } from './demo-random.js';

/**
 * Deliberate data-quality cases planted in every generated data set (whatever the seed), for testing
 * account reconciliation: two different officials sharing one full name, and two names that differ only
 * in the placement of the tone mark ("Thuỷ", old style, vs "Thủy", new style; both NFC).
 */
export const DEMO_QUALITY_CASES = {
  sharedFullName: 'Lê Minh Khoa',
  unusualDiacritics: 'Nguyễn Thị Ngọc Hường',
  toneMarkOldStyle: 'Đặng Thị Thuỷ',
  toneMarkNewStyle: 'Đặng Thị Thủy',
} as const;

export interface GeneratedName {
  family: string;
  fullName: string;
}

/** A Vietnamese (Kinh) or Jrai/Bahnar-style full name matching the gender. */
export function generateName(rng: DemoRandom, names: DemoNames, gender: 'male' | 'female', ethnic: boolean): GeneratedName {
  if (ethnic) {
    const family = rng.weighted(names.ethnicFamilies);
    if (gender === 'female') {
      const middle = rng.pick(names.ethnicMiddleFemale);
      const given = rng.pick(names.ethnicGivenFemale);
      // Jrai women's names often carry the H' prefix glued to the given name: "Ksor H'Linh".
      const rest = middle === "H'" ? `H'${given}` : `${middle} ${given}`;
      return { family, fullName: `${family} ${rest}` };
    }
    const middle = family === 'Đinh' ? 'Văn' : rng.pick(names.ethnicMiddleMale);
    const given = rng.pick(names.ethnicGivenMale);
    return { family, fullName: [family, middle, given].filter(Boolean).join(' ') };
  }
  const family = rng.weighted(names.families);
  if (gender === 'male') {
    return { family, fullName: `${family} ${rng.pick(names.middleMale)} ${rng.pick(names.givenMale)}` };
  }
  const middle = rng.pick(names.middleFemale);
  // About one woman in six has a two-word middle name ("Nguyễn Thị Ngọc Hường").
  const second = middle === 'Thị' && rng.chance(0.17) ? ` ${rng.pick(names.secondMiddleFemale)}` : '';
  let given = rng.pick(names.givenFemale);
  if (second.trim() === given) given = 'Hân';
  return { family, fullName: `${family} ${middle}${second} ${given}` };
}

// CCCD province codes (first 3 digits: place of birth registration). 052 Bình Định, 064 Gia Lai plus neighbours.
export const CCCD_PROVINCE_CODES: Readonly<Record<string, string>> = {
  '052': 'Bình Định',
  '064': 'Gia Lai',
  '051': 'Quảng Ngãi',
  '054': 'Phú Yên',
  '062': 'Kon Tum',
  '066': 'Đắk Lắk',
  '049': 'Quảng Nam',
  '040': 'Nghệ An',
  '001': 'Hà Nội',
};
const OTHER_PROVINCE_CODES = ['051', '054', '062', '066', '049', '040', '001'] as const;

/**
 * A unique 12-digit CCCD: province (3) + gender/century (1: 0/1 male/female born 1900s, 2/3 born 2000s)
 * + two-digit birth year + 6 random digits. `home` is the old province the person most likely comes from.
 */
export function generateCitizenId(
  rng: DemoRandom,
  used: Set<string>,
  home: 'bd' | 'gl',
  gender: 'male' | 'female',
  dateOfBirth: string,
): string {
  const r = rng.next();
  const province = r < 0.86 ? (home === 'bd' ? '052' : '064') : r < 0.94 ? (home === 'bd' ? '064' : '052') : rng.pick(OTHER_PROVINCE_CODES);
  const year = Number(dateOfBirth.slice(0, 4));
  const century = (year >= 2000 ? 2 : 0) + (gender === 'female' ? 1 : 0);
  const prefix = `${province}${century}${String(year % 100).padStart(2, '0')}`;
  for (;;) {
    const id = prefix + rng.digits(6);
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

/**
 * Work e-mail in the style `nva.nguyen@gialai.gov.vn`: initials of every word of the full name, a dot, the
 * ASCII-folded family name; clashes get 2, 3, … appended.
 */
export function generateEmail(used: Set<string>, fullName: string, family: string): string {
  const initials = fullName
    .split(' ')
    .map((w) => asciiFold(w).replace(/[^a-z0-9]/g, '').charAt(0))
    .join('');
  const base = `${initials}.${asciiFold(family).replace(/[^a-z0-9]/g, '')}`;
  let local = base;
  for (let n = 2; used.has(local); n++) local = `${base}${n}`;
  used.add(local);
  return `${local}@gialai.gov.vn`;
}

const PHONE_PREFIXES = ['090', '091', '093', '094', '096', '097', '098', '032', '033', '034', '035', '036', '037', '038', '039'] as const;

/** A unique 10-digit Vietnamese mobile number (09x / 03x). */
export function generatePhone(rng: DemoRandom, used: Set<string>): string {
  for (;;) {
    const phone = rng.pick(PHONE_PREFIXES) + rng.digits(7);
    if (!used.has(phone)) {
      used.add(phone);
      return phone;
    }
  }
}
