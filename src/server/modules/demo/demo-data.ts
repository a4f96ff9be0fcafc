import { DemoRandom } from './demo-random.js';
import { buildDemoUnits } from './demo-units.js';
import { buildDemoPeople } from './demo-people.js';

export type UnitType =
  | 'province'
  | 'department'
  | 'agency'
  | 'police'
  | 'commune'
  | 'ward'
  | 'sub_unit'
  | 'former_province'
  | 'former_district'
  | 'former_commune';

/** An organisational or administrative unit, current or former, with its merger lineage. */
export interface DemoUnit {
  key: string;
  code: string;
  name: string;
  shortName?: string;
  type: UnitType;
  parentKey: string | null;
  /** YYYY-MM-DD */
  validFrom: string;
  validTo: string | null;
  mergedIntoKey: string | null;
  mergedOn: string | null;
  mergerDecision: string | null;
}

/**
 * `transferred` means moved out of the province's units (the person's unitKey stays the unit they left);
 * moves between units of the province are `active` entries in the new unit with a decision number.
 */
export type PersonStatus = 'active' | 'retired' | 'transferred' | 'on_leave' | 'dismissed' | 'deceased';

export interface DemoPersonHistoryEntry {
  status: PersonStatus;
  unitKey: string;
  position: string;
  effectiveFrom: string;
  decision?: string;
  note?: string;
}

/** An official. `status`, `unitKey`, `position` and `statusSince` always equal the last history entry. */
export interface DemoPerson {
  key: string;
  fullName: string;
  /** 12-digit CCCD: province code (3) + gender/century (1) + year of birth (2) + 6 digits. */
  citizenId: string;
  dateOfBirth: string;
  gender: 'male' | 'female';
  email: string;
  phone: string;
  unitKey: string;
  position: string;
  status: PersonStatus;
  statusSince: string;
  history: DemoPersonHistoryEntry[];
}

export interface DemoData {
  units: DemoUnit[];
  people: DemoPerson[];
}

/** Default seed: the day the merged province came into being. */
export const DEFAULT_DEMO_SEED = 20250701;

export { DEMO_QUALITY_CASES, CCCD_PROVINCE_CODES } from './demo-names.js';

/**
 * Generates the demo organisation of the new Gia Lai province (merged from Bình Định and old Gia Lai on
 * 2025-07-01): current and former units with merger lineage, and ~3,000 officials with career histories.
 *
 * Pure and deterministic: the same seed gives byte-identical output (seeded PRNG, no clock). Units do not
 * depend on the seed — codes and keys are stable — only people do. Nothing is written anywhere; a loader
 * elsewhere inserts the result into the database.
 */
export function generateDemoData(seed: number = DEFAULT_DEMO_SEED): DemoData {
  const rng = new DemoRandom(seed);
  const plan = buildDemoUnits();
  const people = buildDemoPeople(rng, plan);
  return { units: plan.units, people };
}
