import type { DemoUnit } from './demo-data.js';
import { loadDemoLists, type DemoBody } from './demo-lists.js';
import { slugify } from './demo-random.js';

// NQ 202/2025/QH15: Bình Định + old Gia Lai → new Gia Lai from 01/07/2025 (research §5).
export const PROVINCE_MERGER = 'Nghị quyết 202/2025/QH15';
// NQ 1664/NQ-UBTVQH15 (16/06/2025): 135 commune-level units (110 xã + 25 phường); district level ends.
export const COMMUNE_MERGER = 'Nghị quyết 1664/NQ-UBTVQH15';
// QĐ 757/QĐ-UBND (17/07/2025): Trung tâm Chuyển đổi số formed from the two provinces' IT centres (research §5).
export const DIGITAL_CENTRE_DECISION = 'Quyết định 757/QĐ-UBND';
export const MERGER_DAY = '2025-07-01';
export const LAST_OLD_DAY = '2025-06-30';
export const DIGITAL_CENTRE_DAY = '2025-07-17';
// Sở TT&TT merged into Sở KH&CN in each province from 01/03/2025, before the provinces merged [I].
export const ICT_MERGER_DAY = '2025-03-01';
/**
 * Establishment dates of pre-existing units are not modelled: every pre-existing unit (old departments,
 * districts, communes, and the 9 communes that continue unchanged) gets this placeholder, which is also the
 * earliest date anyone joins a unit in the people histories.
 */
export const DEMO_EPOCH = '2000-01-01';

export type OldProvince = 'bd' | 'gl';

export interface BodyPlan {
  /** null for the provincial People's Committee itself. */
  body: DemoBody | null;
  key: string;
  subs: { key: string; code: string; name: string }[];
  /** Predecessor body in each old province (same function), if any. */
  predecessors: Record<OldProvince, string> | null;
}

export interface CommunePlan {
  key: string;
  name: string;
  ward: boolean;
  unchanged: boolean;
  highland: boolean;
  province: OldProvince;
  districtKey: string;
  formerKeys: string[];
}

export interface DemoUnitPlan {
  units: DemoUnit[];
  provinceKey: string;
  oldProvinceKeys: Record<OldProvince, string>;
  bodies: BodyPlan[];
  communes: CommunePlan[];
  /** Old Sở TT&TT keys (dissolved 2025-03-01 into the old Sở KH&CN of the same province). */
  oldIctKeys: Record<OldProvince, string>;
  /** Old IT centres merged into the new Trung tâm Chuyển đổi số on 2025-07-17. */
  oldItCentreKeys: Record<OldProvince, string>;
}

const PROVINCE_KEY = 'gl';
const OLD_NAMES: Record<OldProvince, string> = { bd: 'Bình Định', gl: 'Gia Lai (cũ)' };
const OLD_CODES: Record<OldProvince, string> = { bd: 'BD-CU', gl: 'GL-CU' };

function unit(u: Omit<DemoUnit, 'validTo' | 'mergedIntoKey' | 'mergedOn' | 'mergerDecision'> & Partial<DemoUnit>): DemoUnit {
  // Fixed property order keeps serialised output readable and stable.
  return {
    key: u.key, code: u.code, name: u.name, ...(u.shortName ? { shortName: u.shortName } : {}), type: u.type, parentKey: u.parentKey,
    validFrom: u.validFrom, validTo: u.validTo ?? null, mergedIntoKey: u.mergedIntoKey ?? null, mergedOn: u.mergedOn ?? null,
    mergerDecision: u.mergerDecision ?? null,
  };
}

function oldBodyName(stem: string, prov: OldProvince): string {
  // "Thanh tra tỉnh" → "Thanh tra tỉnh Bình Định"; "Sở Y tế" → "Sở Y tế tỉnh Bình Định".
  return stem.endsWith(' tỉnh') ? `${stem} ${OLD_NAMES[prov]}` : `${stem} tỉnh ${OLD_NAMES[prov]}`;
}

/** Builds every unit (seed-independent) plus the structure the people generator needs. */
export function buildDemoUnits(): DemoUnitPlan {
  const { places, bodies } = loadDemoLists();
  const units: DemoUnit[] = [];
  const oldProvinceKeys: Record<OldProvince, string> = { bd: 'old.bd', gl: 'old.gl' };

  units.push(unit({ key: PROVINCE_KEY, code: 'GL', name: 'UBND tỉnh Gia Lai', shortName: 'Tỉnh Gia Lai', type: 'province', parentKey: null, validFrom: MERGER_DAY }));
  // Re-establishment dates: Bình Định 01/07/1989 (Nghĩa Bình split), Gia Lai 12/08/1991 (Gia Lai – Kon Tum split).
  const provinceFrom: Record<OldProvince, string> = { bd: '1989-07-01', gl: '1991-08-12' };
  for (const prov of ['bd', 'gl'] as const) {
    units.push(unit({
      key: oldProvinceKeys[prov], code: OLD_CODES[prov], name: prov === 'bd' ? 'UBND tỉnh Bình Định' : 'UBND tỉnh Gia Lai (cũ)',
      shortName: prov === 'bd' ? 'Tỉnh Bình Định' : 'Tỉnh Gia Lai (cũ)', type: 'former_province', parentKey: null,
      validFrom: provinceFrom[prov], validTo: LAST_OLD_DAY, mergedIntoKey: PROVINCE_KEY, mergedOn: MERGER_DAY, mergerDecision: PROVINCE_MERGER,
    }));
  }

  // New provincial bodies, their sub-units, and their predecessors in both old provinces.
  const bodyPlans: BodyPlan[] = [{ body: null, key: PROVINCE_KEY, subs: [], predecessors: oldProvinceKeys }];
  for (const body of bodies) {
    const key = `gl.${slugify(body.code)}`;
    units.push(unit({ key, code: body.code, name: body.name, type: body.type, parentKey: PROVINCE_KEY, validFrom: MERGER_DAY }));
    const subs = body.subs.map(([subCode, subName]) => {
      const sub = { key: `${key}.${slugify(subCode)}`, code: `${body.code}-${subCode}`, name: subName };
      const validFrom = sub.code === 'SO-KHCN-TT-CDS' ? DIGITAL_CENTRE_DAY : MERGER_DAY;
      units.push(unit({ ...sub, type: 'sub_unit', parentKey: key, validFrom }));
      return sub;
    });
    let predecessors: Record<OldProvince, string> | null = null;
    if (body.pre) {
      predecessors = { bd: `old.bd.${slugify(body.code)}`, gl: `old.gl.${slugify(body.code)}` };
      for (const prov of ['bd', 'gl'] as const) {
        units.push(unit({
          key: predecessors[prov], code: `${OLD_CODES[prov]}-${body.code}`, name: oldBodyName(body.pre, prov), type: body.type,
          parentKey: oldProvinceKeys[prov], validFrom: DEMO_EPOCH, validTo: LAST_OLD_DAY,
          mergedIntoKey: key, mergedOn: MERGER_DAY, mergerDecision: PROVINCE_MERGER,
        }));
      }
    }
    bodyPlans.push({ body, key, subs, predecessors });
  }

  // 2025 restructuring before the provincial merger: each Sở TT&TT was folded into that province's Sở KH&CN.
  // The provincial decision numbers are not in the research notes, so mergerDecision stays null.
  const oldIctKeys: Record<OldProvince, string> = { bd: 'old.bd.so-tttt', gl: 'old.gl.so-tttt' };
  const oldItCentreKeys: Record<OldProvince, string> = { bd: 'old.bd.so-khcn.tt-udkhcn', gl: 'old.gl.so-khcn.tt-cntttt' };
  for (const prov of ['bd', 'gl'] as const) {
    units.push(unit({
      key: oldIctKeys[prov], code: `${OLD_CODES[prov]}-SO-TTTT`,
      name: `Sở Thông tin và Truyền thông tỉnh ${prov === 'bd' ? 'Bình Định' : 'Gia Lai'}`, type: 'department',
      parentKey: oldProvinceKeys[prov], validFrom: DEMO_EPOCH, validTo: '2025-02-28',
      mergedIntoKey: `old.${prov}.so-khcn`, mergedOn: ICT_MERGER_DAY, mergerDecision: null,
    }));
    // The two IT centres lived on under the old parents until QĐ 757 of 17/07/2025 (parent already closed).
    units.push(unit({
      key: oldItCentreKeys[prov], code: prov === 'bd' ? 'BD-CU-SO-KHCN-TT-UDKHCN' : 'GL-CU-SO-KHCN-TT-CNTTTT',
      name: prov === 'bd' ? 'Trung tâm Ứng dụng khoa học và công nghệ Bình Định' : 'Trung tâm Công nghệ thông tin và Truyền thông Gia Lai',
      type: 'sub_unit', parentKey: `old.${prov}.so-khcn`, validFrom: DEMO_EPOCH, validTo: '2025-07-16',
      mergedIntoKey: 'gl.so-khcn.tt-cds', mergedOn: DIGITAL_CENTRE_DAY, mergerDecision: DIGITAL_CENTRE_DECISION,
    }));
  }

  // Communes and wards of the new province, then the abolished districts and former communes.
  const unchanged = new Set(places.unchangedCommunes);
  const highland = new Set(places.highlandDistricts);
  const communes: CommunePlan[] = [];
  const keyByName = new Map<string, string>();
  let wardNo = 0;
  let communeNo = 0;
  for (const d of places.districts) {
    for (const [names, ward] of [[d.wards, true], [d.communes, false]] as const) {
      for (const name of names) {
        const no = ward ? ++wardNo : ++communeNo;
        const code = ward ? `PHUONG-${String(no).padStart(2, '0')}` : `XA-${String(no).padStart(3, '0')}`;
        const key = `gl.${code.toLowerCase()}`;
        const isUnchanged = unchanged.has(name);
        units.push(unit({
          key, code, name: `UBND ${ward ? 'phường' : 'xã'} ${name}`, shortName: `${ward ? 'Phường' : 'Xã'} ${name}`,
          type: ward ? 'ward' : 'commune', parentKey: PROVINCE_KEY,
          // The 9 unchanged xã are the same unit continued (only their parent changed), so they keep the
          // placeholder establishment date instead of 2025-07-01.
          validFrom: isUnchanged ? DEMO_EPOCH : MERGER_DAY,
        }));
        keyByName.set(name, key);
        communes.push({
          key, name, ward, unchanged: isUnchanged, highland: highland.has(d.key), province: d.province,
          districtKey: `old.${d.key}`, formerKeys: [],
        });
      }
    }
  }

  const districtNo: Record<OldProvince, number> = { bd: 0, gl: 0 };
  for (const d of places.districts) {
    const dKey = `old.${d.key}`;
    const dCode = `${OLD_CODES[d.province]}-D${String(++districtNo[d.province]).padStart(2, '0')}`;
    const seatKey = keyByName.get(d.seat);
    if (!seatKey) throw new Error(`demo places: seat ${d.seat} of ${d.name} is not a new commune`);
    units.push(unit({
      key: dKey, code: dCode, name: `UBND ${d.kind} ${d.name}`, shortName: `${d.kind[0]?.toUpperCase()}${d.kind.slice(1)} ${d.name} (cũ)`,
      type: 'former_district', parentKey: oldProvinceKeys[d.province], validFrom: DEMO_EPOCH, validTo: LAST_OLD_DAY,
      mergedIntoKey: seatKey, mergedOn: MERGER_DAY, mergerDecision: COMMUNE_MERGER,
    }));
    // Former communes go round-robin to the district's new (not unchanged) units: 1–4 predecessors each.
    const targets = communes.filter((c) => c.districtKey === dKey && !c.unchanged);
    const usedSlugs = new Set<string>();
    d.former.forEach((formerName, i) => {
      const target = targets[i % targets.length];
      if (!target) throw new Error(`demo places: district ${d.name} has no new unit to merge into`);
      let slug = slugify(formerName);
      while (usedSlugs.has(slug)) slug += '-2';
      usedSlugs.add(slug);
      const fKey = `${dKey}.${slug}`;
      const prefixEnd = formerName.startsWith('thị trấn ') ? 9 : formerName.indexOf(' ') + 1;
      const kind = formerName.slice(0, prefixEnd - 1);
      units.push(unit({
        key: fKey, code: `${dCode}-X${String(i + 1).padStart(2, '0')}`, name: `UBND ${formerName}`,
        shortName: `${kind[0]?.toUpperCase()}${formerName.slice(1)} (${d.kind} ${d.name})`,
        type: 'former_commune', parentKey: dKey, validFrom: DEMO_EPOCH, validTo: LAST_OLD_DAY,
        mergedIntoKey: target.key, mergedOn: MERGER_DAY, mergerDecision: COMMUNE_MERGER,
      }));
      target.formerKeys.push(fKey);
    });
  }

  return { units, provinceKey: PROVINCE_KEY, oldProvinceKeys, bodies: bodyPlans, communes, oldIctKeys, oldItCentreKeys };
}
