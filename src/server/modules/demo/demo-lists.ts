import { readFileSync } from 'node:fs';

/**
 * Static name/place lists for the demo generator, kept as JSON under `data/demo/` (repo root). The path is
 * resolved relative to this module, which sits at the same depth under `src/` and under the built `dist/`.
 */
export interface DemoDistrict {
  key: string;
  province: 'bd' | 'gl';
  kind: 'thành phố' | 'thị xã' | 'huyện';
  name: string;
  /** Name of the new ward/commune that took over the district seat on 2025-07-01. */
  seat: string;
  wards: string[];
  communes: string[];
  /** Former commune-level units, with their own prefix ("xã …", "phường …", "thị trấn …"). */
  former: string[];
}

export interface DemoPlaces {
  unchangedCommunes: string[];
  highlandDistricts: string[];
  districts: DemoDistrict[];
}

export interface DemoBody {
  code: string;
  name: string;
  type: 'department' | 'agency' | 'police';
  size: number;
  head?: string;
  deputy?: string;
  staff?: string;
  pre: string | null;
  subs: [string, string][];
}

export interface DemoNames {
  families: [string, number][];
  middleMale: string[];
  middleFemale: string[];
  secondMiddleFemale: string[];
  givenMale: string[];
  givenFemale: string[];
  ethnicFamilies: [string, number][];
  ethnicMiddleMale: string[];
  ethnicMiddleFemale: string[];
  ethnicGivenMale: string[];
  ethnicGivenFemale: string[];
}

export interface DemoLists {
  places: DemoPlaces;
  bodies: DemoBody[];
  names: DemoNames;
}

let cached: DemoLists | undefined;

function readJson<T>(file: string): T {
  const url = new URL(`../../../../data/demo/${file}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

/** Loads (once) and returns the demo lists. The result must be treated as read-only. */
export function loadDemoLists(): DemoLists {
  cached ??= {
    places: readJson<DemoPlaces>('places.json'),
    bodies: readJson<{ bodies: DemoBody[] }>('agencies.json').bodies,
    names: readJson<DemoNames>('names.json'),
  };
  return cached;
}
