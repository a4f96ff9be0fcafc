import type { DemoPerson, DemoPersonHistoryEntry, PersonStatus } from './demo-data.js';
import { loadDemoLists } from './demo-lists.js';
import { DEMO_QUALITY_CASES, generateCitizenId, generateEmail, generateName, generatePhone } from './demo-names.js';
import { addYears, fromDay, randomDate, toDay, type DemoRandom } from './demo-random.js';
import { DEMO_EPOCH, type DemoUnitPlan, type OldProvince } from './demo-units.js';
import { buildSlots, type Slot } from './demo-slots.js';

/** Last date any generated event may carry (the demo's "now" is late 2026). */
const DATA_END = '2026-10-31';

type Fate = 'retired_before' | PersonStatus | 'moved';

function drawFate(rng: DemoRandom, leader: boolean): Fate {
  if (leader) return 'active';
  const r = rng.next();
  // Targets over everyone (leaders included): ~88% active, 5% retired, 3% transferred, 2% on leave, 1% dismissed.
  if (r < 0.009) return 'retired_before';
  if (r < 0.057) return 'retired';
  if (r < 0.091) return 'transferred';
  if (r < 0.114) return 'on_leave';
  if (r < 0.126) return 'dismissed';
  if (r < 0.131) return 'deceased';
  if (r < 0.171) return 'moved';
  return 'active';
}

function decision(rng: DemoRandom, police: boolean): string {
  return `Quyết định ${rng.int(105, 4890)}/QĐ-${police ? 'CAT' : 'UBND'}`;
}

interface Draft {
  person: DemoPerson;
  family: string;
  slot: Slot;
}

/**
 * Officials for every slot of the plan: a career history through the pre-merger units, the move into the
 * new unit on 2025-07-01 (or 2025-07-17 for the digital-transformation centre), and a final event drawn
 * to give the documented status mix.
 */
export function buildDemoPeople(rng: DemoRandom, plan: DemoUnitPlan): DemoPerson[] {
  const { names } = loadDemoLists();
  const slots = buildSlots(rng, plan);
  const usedIds = new Set<string>();
  const usedPhones = new Set<string>();
  const drafts: Draft[] = [];
  const moveTargets = {
    civil: slots.filter((s) => s.kind === 'body' && !s.police && !s.leader).map((s) => s.unitKey),
    police: slots.filter((s) => s.police && !s.leader).map((s) => s.unitKey),
    commune: plan.communes.map((c) => c.key),
  };

  const fill = (slot: Slot, fate: Fate) => {
    const gender: 'male' | 'female' = rng.chance(slot.leader ? 0.75 : slot.police ? 0.8 : 0.5) ? 'male' : 'female';
    // ~4% of non-leaders were recruited after the merger and have no pre-merger career.
    const origin = slot.leader || fate === 'retired_before' || fate === 'retired' || !rng.chance(0.04) ? slot.origin(rng) : null;

    // Retirement dates come first so that the birth date matches the 2025 retirement age (men ~61y3m, women ~56y8m).
    let retireOn: string | null = null;
    let dateOfBirth: string;
    if (fate === 'retired_before' || fate === 'retired') {
      retireOn = fate === 'retired_before' ? randomDate(rng, '2025-01-01', '2025-06-30') : randomDate(rng, '2025-08-01', DATA_END);
      const back = gender === 'male' ? 61 * 365.25 + 90 : 56 * 365.25 + 240;
      dateOfBirth = fromDay(toDay(retireOn) - Math.round(back) - rng.int(0, 25));
    } else if (!origin) {
      dateOfBirth = randomDate(rng, '1994-01-01', '2003-06-30');
    } else if (fate === 'on_leave' && gender === 'female') {
      dateOfBirth = randomDate(rng, '1986-01-01', '2000-12-31');
    } else {
      dateOfBirth = randomDate(rng, slot.leader ? '1967-01-01' : gender === 'male' ? '1967-01-01' : '1971-01-01', slot.leader ? '1984-12-31' : '2001-12-31');
    }

    const history: DemoPersonHistoryEntry[] = [];
    const police = slot.police;
    if (origin) {
      let latestJoin = origin.chain.length > 1 ? '2025-02-15' : '2025-06-15';
      if (fate === 'retired_before' && retireOn && toDay(retireOn) - 365 < toDay(latestJoin)) latestJoin = fromDay(toDay(retireOn) - 365);
      const earliestJoin = [addYears(dateOfBirth, 22), DEMO_EPOCH].sort()[1] as string;
      const joinOn = randomDate(rng, earliestJoin < latestJoin ? earliestJoin : latestJoin, latestJoin);
      // A pre-merger retiree stops at the step they were in when they retired.
      const chain = fate === 'retired_before' && retireOn ? origin.chain.filter((st, i) => i === 0 || (st.from ?? '') < retireOn) : origin.chain;
      chain.forEach((step, i) => {
        history.push({
          status: 'active', unitKey: step.unitKey, position: step.position, effectiveFrom: i === 0 ? joinOn : step.from ?? joinOn,
          ...(i === 0 ? { decision: decision(rng, police), note: 'Tiếp nhận, bổ nhiệm vào đơn vị' } : { note: step.note ?? '' }),
        });
      });
      const last = history[history.length - 1] as DemoPersonHistoryEntry;
      if (fate === 'retired_before' && retireOn) {
        history.push({ ...last, status: 'retired', effectiveFrom: retireOn, decision: decision(rng, police), note: 'Nghỉ hưu theo chế độ' });
      } else {
        history.push({
          status: 'active', unitKey: slot.unitKey, position: slot.position, effectiveFrom: origin.mergeOn,
          decision: origin.mergeDecision, note: origin.mergeNote,
        });
      }
    } else {
      history.push({
        status: 'active', unitKey: slot.unitKey, position: slot.position, effectiveFrom: randomDate(rng, '2025-08-01', '2026-06-30'),
        decision: decision(rng, police), note: 'Tuyển dụng mới',
      });
    }

    const current = history[history.length - 1] as DemoPersonHistoryEntry;
    const after = (from: string) => randomDate(rng, fromDay(Math.max(toDay(from), toDay(current.effectiveFrom)) + 30), DATA_END);
    if (fate === 'retired' && retireOn) {
      const on = retireOn > current.effectiveFrom ? retireOn : after(retireOn);
      history.push({ ...current, status: 'retired', effectiveFrom: on, decision: decision(rng, police), note: 'Nghỉ hưu theo chế độ' });
    } else if (fate === 'transferred') {
      history.push({ ...current, status: 'transferred', effectiveFrom: after('2025-09-01'), decision: decision(rng, police), note: 'Chuyển công tác ra ngoài tỉnh' });
    } else if (fate === 'on_leave') {
      const note = gender === 'female' && dateOfBirth > '1986' ? 'Nghỉ thai sản' : rng.pick(['Nghỉ ốm dài hạn', 'Đi học tập trung dài hạn', 'Nghỉ không hưởng lương']);
      history.push({ ...current, status: 'on_leave', effectiveFrom: after('2026-01-01'), note });
    } else if (fate === 'dismissed') {
      history.push({ ...current, status: 'dismissed', effectiveFrom: after('2025-10-01'), decision: decision(rng, police), note: 'Buộc thôi việc do vi phạm kỷ luật' });
    } else if (fate === 'deceased') {
      history.push({ ...current, status: 'deceased', effectiveFrom: after('2025-09-01'), note: 'Từ trần' });
    } else if (fate === 'moved') {
      // Transfer between units of the new province in 2026, by decision.
      const pool = slot.police ? moveTargets.police : slot.kind === 'commune' ? moveTargets.commune : moveTargets.civil;
      let target = rng.pick(pool);
      if (target === current.unitKey) target = pool[(pool.indexOf(target) + 1) % pool.length] as string;
      // Leaders never move here; deputies and heads of office arrive at the new unit as staff.
      const isStaff = /^(Chuyên viên|Viên chức)/.test(slot.position);
      const position = slot.kind === 'commune' ? (isStaff ? slot.position : 'Chuyên viên Văn phòng HĐND và UBND') : slot.police ? 'Cán bộ' : 'Chuyên viên';
      history.push({ status: 'active', unitKey: target, position, effectiveFrom: after('2026-01-01'), decision: decision(rng, police), note: 'Điều động công tác' });
    }

    const home: OldProvince = origin?.province ?? slot.province ?? (rng.chance(0.5) ? 'bd' : 'gl');
    const name = generateName(rng, names, gender, rng.chance(slot.ethnicShare));
    const last = history[history.length - 1] as DemoPersonHistoryEntry;
    const person: DemoPerson = {
      key: `p-${String(drafts.length + 1).padStart(5, '0')}`,
      fullName: name.fullName,
      citizenId: generateCitizenId(rng, usedIds, home, gender, dateOfBirth),
      dateOfBirth, gender, email: '', phone: generatePhone(rng, usedPhones),
      unitKey: last.unitKey, position: last.position, status: last.status, statusSince: last.effectiveFrom, history,
    };
    drafts.push({ person, family: name.family, slot });
  };
  for (const slot of slots) {
    // Someone who retired before the merger never reached the new unit, so the slot still needs a holder.
    let fate = drawFate(rng, slot.leader);
    while (fate === 'retired_before') {
      fill(slot, fate);
      fate = drawFate(rng, slot.leader);
    }
    fill(slot, fate);
  }

  plantQualityCases(drafts);
  const usedEmails = new Set<string>();
  for (const d of drafts) d.person.email = generateEmail(usedEmails, d.person.fullName, d.family);
  return drafts.map((d) => d.person);
}

/** Renames a few people so the documented reconciliation traps exist in every data set. */
function plantQualityCases(drafts: Draft[]): void {
  const taken = new Set<Draft>();
  const find = (pred: (d: Draft) => boolean): Draft => {
    const d = drafts.find((x) => !taken.has(x) && !x.slot.leader && x.person.status === 'active' && pred(x));
    if (!d) throw new Error('demo data: no candidate for a quality case');
    taken.add(d);
    return d;
  };
  const rename = (d: Draft, fullName: string) => {
    d.person.fullName = fullName;
    d.family = fullName.split(' ')[0] as string;
  };
  const a = find((d) => d.person.gender === 'male' && d.person.unitKey.startsWith('gl.so-khcn.'));
  const b = find((d) => d.person.gender === 'male' && d.slot.kind === 'commune' && d.person.unitKey !== a.person.unitKey);
  rename(a, DEMO_QUALITY_CASES.sharedFullName);
  rename(b, DEMO_QUALITY_CASES.sharedFullName);
  rename(find((d) => d.person.gender === 'female' && d.slot.kind === 'commune'), DEMO_QUALITY_CASES.unusualDiacritics);
  rename(find((d) => d.person.gender === 'female' && d.person.unitKey.startsWith('gl.so-nv.')), DEMO_QUALITY_CASES.toneMarkOldStyle);
  rename(find((d) => d.person.gender === 'female' && d.person.unitKey.startsWith('gl.vp-ubnd.')), DEMO_QUALITY_CASES.toneMarkNewStyle);
}

