import type { DemoRandom } from './demo-random.js';
import {
  COMMUNE_MERGER, DIGITAL_CENTRE_DAY, DIGITAL_CENTRE_DECISION, ICT_MERGER_DAY, MERGER_DAY, PROVINCE_MERGER,
  type BodyPlan, type CommunePlan, type DemoUnitPlan, type OldProvince,
} from './demo-units.js';

/** One step of a pre-merger career: the first step starts on the join date, later ones on `from`. */
export interface OriginStep {
  unitKey: string;
  position: string;
  from?: string;
  note?: string;
}

/** Where the holder of a slot worked before the merger, and how they moved into the new unit. */
export interface Origin {
  province: OldProvince;
  chain: OriginStep[];
  mergeOn: string;
  mergeDecision: string;
  mergeNote: string;
}

/** A position to be filled in a current unit. */
export interface Slot {
  unitKey: string;
  position: string;
  leader: boolean;
  kind: 'province' | 'body' | 'commune';
  police: boolean;
  province: OldProvince | null;
  /** Probability that the holder has a Jrai/Bahnar-style name. */
  ethnicShare: number;
  origin(rng: DemoRandom): Origin;
}

const PROVINCE_NOTE = 'Chuyển công tác do hợp nhất tỉnh Bình Định và tỉnh Gia Lai';
const OLD_COMMUNE_STAFF = [
  'Công chức Văn phòng - Thống kê',
  'Công chức Tư pháp - Hộ tịch',
  'Công chức Tài chính - Kế toán',
  'Công chức Địa chính - Xây dựng - Đô thị và Môi trường',
  'Công chức Văn hóa - Xã hội',
] as const;
const OLD_DISTRICT_STAFF = [
  'Chuyên viên Phòng Nội vụ',
  'Chuyên viên Phòng Tài chính - Kế hoạch',
  'Chuyên viên Phòng Tài nguyên và Môi trường',
  'Chuyên viên Phòng Văn hóa và Thông tin',
  'Chuyên viên Văn phòng HĐND và UBND',
  'Chuyên viên Phòng Kinh tế - Hạ tầng',
] as const;

function titlesFor(subName: string, police: boolean, staff: string | undefined): [string, string, string] {
  if (subName.startsWith('Văn phòng')) return ['Chánh Văn phòng', 'Phó Chánh Văn phòng', 'Chuyên viên'];
  if (subName.startsWith('Trung tâm')) return ['Giám đốc Trung tâm', 'Phó Giám đốc Trung tâm', 'Viên chức'];
  if (subName.startsWith('Chi cục')) return ['Chi cục trưởng', 'Phó Chi cục trưởng', 'Kiểm lâm viên'];
  return ['Trưởng phòng', 'Phó Trưởng phòng', police ? 'Cán bộ' : staff ?? 'Chuyên viên'];
}

function bodySlots(rng: DemoRandom, plan: DemoUnitPlan, bp: BodyPlan): Slot[] {
  const body = bp.body;
  const police = body?.type === 'police';
  const slots: Slot[] = [];
  const fromPredecessor = (position: string) => (r: DemoRandom): Origin => {
    const province: OldProvince = r.chance(0.5) ? 'bd' : 'gl';
    const unitKey = bp.predecessors ? bp.predecessors[province] : plan.oldProvinceKeys[province];
    return { province, chain: [{ unitKey, position }], mergeOn: MERGER_DAY, mergeDecision: PROVINCE_MERGER, mergeNote: PROVINCE_NOTE };
  };
  const add = (unitKey: string, position: string, leader: boolean, origin = fromPredecessor(position)) =>
    slots.push({ unitKey, position, leader, kind: body ? 'body' : 'province', police, province: null, ethnicShare: 0.06, origin });

  if (!body) {
    add(bp.key, 'Chủ tịch UBND tỉnh', true);
    for (let i = 0; i < 4; i++) add(bp.key, 'Phó Chủ tịch UBND tỉnh', true);
    return slots;
  }
  const head = body.head ?? 'Giám đốc';
  const deputy = body.deputy ?? 'Phó Giám đốc';
  const deputies = body.size >= 60 ? 3 : 2;
  add(bp.key, head, true);
  for (let i = 0; i < deputies; i++) add(bp.key, deputy, true);

  // Staff spread over sub-units; the cyber-security department (PA05) is staffed more heavily.
  const weights = bp.subs.map((s) => (s.code.endsWith('-PA05') ? 1.6 : 0.8 + rng.next() * 0.4));
  const total = weights.reduce((a, b) => a + b, 0);
  const remaining = body.size - 1 - deputies;
  bp.subs.forEach((sub, i) => {
    const count = Math.max(4, Math.round((remaining * (weights[i] as number)) / total));
    const [subHead, subDeputy, staff] = titlesFor(sub.name, police, body.staff);
    let origin = fromPredecessor;
    if (sub.code === 'SO-KHCN-TT-CDS') {
      // QĐ 757/QĐ-UBND: the two provinces' IT centres became Trung tâm Chuyển đổi số on 17/07/2025.
      origin = (position: string) => (r: DemoRandom): Origin => {
        const province: OldProvince = r.chance(0.5) ? 'bd' : 'gl';
        return {
          province, chain: [{ unitKey: plan.oldItCentreKeys[province], position }], mergeOn: DIGITAL_CENTRE_DAY,
          mergeDecision: DIGITAL_CENTRE_DECISION, mergeNote: 'Hợp nhất hai trung tâm thành Trung tâm Chuyển đổi số',
        };
      };
    } else if (sub.code === 'SO-KHCN-PHONG-CDS') {
      // Most digital-transformation staff came from the old Sở TT&TT (folded into Sở KH&CN on 01/03/2025).
      origin = (position: string) => (r: DemoRandom): Origin => {
        const province: OldProvince = r.chance(0.5) ? 'bd' : 'gl';
        if (r.chance(0.3)) return fromPredecessor(position)(r);
        return {
          province, mergeOn: MERGER_DAY, mergeDecision: PROVINCE_MERGER, mergeNote: PROVINCE_NOTE,
          chain: [
            { unitKey: plan.oldIctKeys[province], position },
            { unitKey: `old.${province}.so-khcn`, position, from: ICT_MERGER_DAY, note: 'Hợp nhất Sở Thông tin và Truyền thông vào Sở Khoa học và Công nghệ' },
          ],
        };
      };
    }
    for (let n = 0; n < count; n++) {
      let position = n === 0 ? subHead : n <= (count > 12 ? 2 : 1) ? subDeputy : staff;
      if (sub.name.startsWith('Văn phòng') && n === 3) position = 'Văn thư';
      if (sub.name.startsWith('Văn phòng') && n === 4) position = 'Kế toán';
      if (police && n >= 3 && n < 7) position = n < 5 ? 'Đội trưởng' : 'Phó Đội trưởng';
      if (police && sub.code.endsWith('-PC02') && n >= 7 && n % 3 === 0) position = 'Điều tra viên';
      add(sub.key, position, n === 0, origin(position));
    }
  });
  return slots;
}

function communeSlots(rng: DemoRandom, plan: DemoUnitPlan, c: CommunePlan): Slot[] {
  const level = c.ward ? 'phường' : 'xã';
  const size = rng.int(8, 20);
  const positions = [
    `Chủ tịch UBND ${level}`,
    `Phó Chủ tịch UBND ${level}`,
    ...(size >= 12 ? [`Phó Chủ tịch UBND ${level}`] : []),
    'Chánh Văn phòng HĐND và UBND',
    c.ward ? 'Trưởng phòng Kinh tế, Hạ tầng và Đô thị' : 'Trưởng phòng Kinh tế',
    'Trưởng phòng Văn hóa - Xã hội',
    'Giám đốc Trung tâm Phục vụ hành chính công',
  ];
  const staff = ['Chuyên viên Văn phòng HĐND và UBND', 'Chuyên viên Phòng Kinh tế', 'Chuyên viên Phòng Văn hóa - Xã hội', 'Viên chức Trung tâm Phục vụ hành chính công'];
  while (positions.length < size) positions.push(staff[positions.length % staff.length] as string);
  const districtName = plan.units.find((u) => u.key === c.districtKey)?.name.replace(/^UBND /, '') ?? 'huyện';
  const districtLevel = districtName.startsWith('thành phố') ? 'thành phố' : districtName.startsWith('thị xã') ? 'thị xã' : 'huyện';
  const formerLevel = new Map(c.formerKeys.map((k) => {
    const name = plan.units.find((u) => u.key === k)?.name ?? '';
    return [k, name.includes('thị trấn') ? 'thị trấn' : name.includes('phường') ? 'phường' : 'xã'] as const;
  }));

  return positions.map((position, i): Slot => ({
    unitKey: c.key, position, leader: i < 2, kind: 'commune', police: false, province: c.province,
    ethnicShare: c.highland ? 0.4 : 0.03,
    origin(r: DemoRandom): Origin {
      const chair = i === 0;
      const viceChair = position.startsWith('Phó Chủ tịch');
      const fromDistrict = chair ? r.chance(0.5) : r.chance(c.unchanged ? 0.15 : 0.3);
      if (fromDistrict || (!c.unchanged && c.formerKeys.length === 0)) {
        const old = chair ? `Phó Chủ tịch UBND ${districtLevel}` : viceChair ? r.pick(['Trưởng phòng Nội vụ', 'Trưởng phòng Tài chính - Kế hoạch', 'Chánh Văn phòng HĐND và UBND']) : r.pick(OLD_DISTRICT_STAFF);
        return {
          province: c.province, chain: [{ unitKey: c.districtKey, position: old }], mergeOn: MERGER_DAY, mergeDecision: COMMUNE_MERGER,
          mergeNote: 'Điều động về cấp xã khi kết thúc hoạt động của cấp huyện',
        };
      }
      const formerKey = c.unchanged ? c.key : r.pick(c.formerKeys);
      const formerLvl = c.unchanged ? 'xã' : formerLevel.get(formerKey) ?? 'xã';
      const old = chair ? `Chủ tịch UBND ${formerLvl}` : viceChair ? `Phó Chủ tịch UBND ${formerLvl}` : r.pick(OLD_COMMUNE_STAFF);
      return {
        province: c.province, chain: [{ unitKey: formerKey, position: old }], mergeOn: MERGER_DAY, mergeDecision: COMMUNE_MERGER,
        mergeNote: c.unchanged ? 'Kiện toàn bộ máy theo mô hình chính quyền địa phương hai cấp' : 'Chuyển công tác do sắp xếp đơn vị hành chính cấp xã',
      };
    },
  }));
}

/** All positions to fill: provincial leadership, provincial bodies and their sub-units, communes/wards. */
export function buildSlots(rng: DemoRandom, plan: DemoUnitPlan): Slot[] {
  return [...plan.bodies.flatMap((bp) => bodySlots(rng, plan, bp)), ...plan.communes.flatMap((c) => communeSlots(rng, plan, c))];
}
