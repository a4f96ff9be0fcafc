import { describe, it, expect } from 'vitest';
import { CCCD_PROVINCE_CODES, DEMO_QUALITY_CASES, generateDemoData, type DemoData, type DemoUnit } from './demo-data.js';

const data: DemoData = generateDemoData();
const unitByKey = new Map(data.units.map((u) => [u.key, u]));
const current = (u: DemoUnit) => u.validTo === null;

describe('demo data: administrative units', () => {
  it('has exactly 135 current commune-level units: 110 xã and 25 phường with unique names', () => {
    const communes = data.units.filter((u) => current(u) && u.type === 'commune');
    const wards = data.units.filter((u) => current(u) && u.type === 'ward');
    expect(communes).toHaveLength(110);
    expect(wards).toHaveLength(25);
    const names = [...communes, ...wards].map((u) => u.name);
    expect(new Set(names).size).toBe(135);
    expect(communes.every((u) => u.code.startsWith('XA-') && u.name.startsWith('UBND xã '))).toBe(true);
    expect(wards.every((u) => u.code.startsWith('PHUONG-') && u.name.startsWith('UBND phường '))).toBe(true);
  });

  it('contains the wards and communes named in the sources, and the 9 unchanged xã', () => {
    const names = new Set(data.units.filter(current).map((u) => u.shortName));
    for (const n of ['Quy Nhơn', 'Quy Nhơn Nam', 'Pleiku', 'Hoài Nhơn', 'Hoài Nhơn Bắc', 'Hoài Nhơn Nam', 'Hoài Nhơn Đông', 'Hoài Nhơn Tây', 'Bồng Sơn', 'Tam Quan']) {
      expect(names, `phường ${n}`).toContain(`Phường ${n}`);
    }
    for (const n of ['Ia O', 'Nhơn Châu', 'Ia Púch', 'Ia Mơ', 'Ia Pnôn', 'Ia Nan', 'Ia Dom', 'Ia Chia', 'Krong', 'Đề Gi', 'Đak Pơ', 'Canh Vinh', 'Biển Hồ']) {
      expect(names, `xã ${n}`).toContain(`Xã ${n}`);
    }
  });

  it('has unique keys and codes, and every parentKey resolves', () => {
    expect(new Set(data.units.map((u) => u.key)).size).toBe(data.units.length);
    expect(new Set(data.units.map((u) => u.code)).size).toBe(data.units.length);
    for (const u of data.units) {
      if (u.parentKey !== null) expect(unitByKey.has(u.parentKey), `${u.key} → ${u.parentKey}`).toBe(true);
    }
    const province = data.units.filter((u) => u.type === 'province');
    expect(province).toHaveLength(1);
    expect(province[0]).toMatchObject({ name: 'UBND tỉnh Gia Lai', validFrom: '2025-07-01', parentKey: null });
  });

  it('gives every former unit a merger target that exists on the merger date', () => {
    const former = data.units.filter((u) => u.validTo !== null);
    expect(former.filter((u) => u.type === 'former_province')).toHaveLength(2);
    expect(former.filter((u) => u.type === 'former_district')).toHaveLength(28);
    expect(former.filter((u) => u.type === 'former_commune').length).toBeGreaterThanOrEqual(150);
    for (const u of former) {
      expect(u.mergedIntoKey, u.key).not.toBeNull();
      const target = unitByKey.get(u.mergedIntoKey as string);
      expect(target, `${u.key} → ${u.mergedIntoKey}`).toBeDefined();
      expect(u.mergedOn).not.toBeNull();
      expect(target!.validFrom <= (u.mergedOn as string), `${u.key}: target starts after merger`).toBe(true);
      expect(u.validTo! < (u.mergedOn as string)).toBe(true);
    }
  });

  it('traces the old provinces, districts and ICT departments into the new province', () => {
    const bd = data.units.find((u) => u.name === 'UBND tỉnh Bình Định')!;
    expect(bd).toMatchObject({ type: 'former_province', validTo: '2025-06-30', mergedIntoKey: 'gl', mergerDecision: 'Nghị quyết 202/2025/QH15' });
    const quyNhon = data.units.find((u) => u.name === 'UBND thành phố Quy Nhơn')!;
    expect(unitByKey.get(quyNhon.mergedIntoKey!)?.shortName).toBe('Phường Quy Nhơn');
    expect(quyNhon.mergerDecision).toBe('Nghị quyết 1664/NQ-UBTVQH15');
    // Follow the merger chain of the old Sở TT&TT to a current unit: it must end at the new Sở KH&CN.
    for (const name of ['Sở Thông tin và Truyền thông tỉnh Bình Định', 'Sở Thông tin và Truyền thông tỉnh Gia Lai']) {
      let u = data.units.find((x) => x.name === name)!;
      while (u.mergedIntoKey) u = unitByKey.get(u.mergedIntoKey)!;
      expect(u.name).toBe('Sở Khoa học và Công nghệ');
    }
    const pa05 = data.units.find((u) => u.code === 'CA-PA05')!;
    expect(unitByKey.get(pa05.parentKey!)).toMatchObject({ name: 'Công an tỉnh Gia Lai', type: 'police' });
  });
});

describe('demo data: officials', () => {
  it('has about 3,000 people, 8–20 per commune and more in departments and the police', () => {
    expect(data.people.length).toBeGreaterThan(2700);
    expect(data.people.length).toBeLessThan(3300);
    // Staffing as first set up after the merger: the first current unit in each person's history.
    const staffed = new Map<string, number>();
    for (const p of data.people) {
      const first = p.history.find((h) => unitByKey.get(h.unitKey)!.validTo === null);
      if (first) staffed.set(first.unitKey, (staffed.get(first.unitKey) ?? 0) + 1);
    }
    for (const u of data.units.filter((x) => x.type === 'commune' || x.type === 'ward')) {
      const n = staffed.get(u.key) ?? 0;
      expect(n >= 8 && n <= 20, `${u.name}: ${n} officials`).toBe(true);
    }
    const khcn = data.people.filter((p) => p.unitKey === 'gl.so-khcn' || p.unitKey.startsWith('gl.so-khcn.'));
    expect(khcn.length).toBeGreaterThan(50);
    const police = data.people.filter((p) => p.unitKey === 'gl.ca' || p.unitKey.startsWith('gl.ca.'));
    expect(police.length).toBeGreaterThan(200);
  });

  it('gives every person a unique valid CCCD matching gender and birth year', () => {
    const ids = data.people.map((p) => p.citizenId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of data.people) {
      expect(p.citizenId).toMatch(/^\d{12}$/);
      expect(Object.keys(CCCD_PROVINCE_CODES)).toContain(p.citizenId.slice(0, 3));
      const year = Number(p.dateOfBirth.slice(0, 4));
      const genderDigit = (year >= 2000 ? 2 : 0) + (p.gender === 'female' ? 1 : 0);
      expect(p.citizenId[3]).toBe(String(genderDigit));
      expect(p.citizenId.slice(4, 6)).toBe(p.dateOfBirth.slice(2, 4));
    }
    const local = ids.filter((id) => id.startsWith('052') || id.startsWith('064')).length;
    expect(local / ids.length).toBeGreaterThan(0.85);
  });

  it('gives unique ASCII e-mails and 10-digit mobile numbers', () => {
    const emails = data.people.map((p) => p.email);
    expect(new Set(emails).size).toBe(emails.length);
    for (const e of emails) expect(e).toMatch(/^[a-z0-9]+\.[a-z]+[0-9]*@gialai\.gov\.vn$/);
    expect(data.people.find((p) => p.fullName === DEMO_QUALITY_CASES.toneMarkOldStyle)?.email).toMatch(/^dtt\.dang\d*@/);
    for (const p of data.people) expect(p.phone).toMatch(/^0[39]\d{8}$/);
    expect(new Set(data.people.map((p) => p.phone)).size).toBe(data.people.length);
  });

  it('uses Vietnamese names with diacritics and a realistic family-name mix', () => {
    const nguyen = data.people.filter((p) => p.fullName.startsWith('Nguyễn ')).length / data.people.length;
    expect(nguyen).toBeGreaterThan(0.25);
    expect(nguyen).toBeLessThan(0.45);
    expect(data.people.some((p) => /^(Ksor|Siu|Rơ Châm|Rah Lan|Nay) /.test(p.fullName))).toBe(true);
    for (const p of data.people) expect(p.fullName.normalize('NFC')).toBe(p.fullName);
    const women = data.people.filter((p) => p.gender === 'female');
    expect(women.every((p) => !/ Văn /.test(p.fullName))).toBe(true);
    expect(data.people.filter((p) => p.gender === 'male').every((p) => !/ Thị /.test(p.fullName))).toBe(true);
  });

  it('plants the reconciliation traps: a shared full name in two units and look-alike diacritics', () => {
    const twins = data.people.filter((p) => p.fullName === DEMO_QUALITY_CASES.sharedFullName);
    expect(twins.length).toBeGreaterThanOrEqual(2);
    expect(new Set(twins.map((p) => p.unitKey)).size).toBeGreaterThanOrEqual(2);
    expect(new Set(twins.map((p) => p.citizenId)).size).toBe(twins.length);
    for (const name of [DEMO_QUALITY_CASES.unusualDiacritics, DEMO_QUALITY_CASES.toneMarkOldStyle, DEMO_QUALITY_CASES.toneMarkNewStyle]) {
      expect(data.people.map((p) => p.fullName)).toContain(name);
    }
    expect(DEMO_QUALITY_CASES.toneMarkOldStyle).not.toBe(DEMO_QUALITY_CASES.toneMarkNewStyle);
  });

  it('has roughly the documented status mix', () => {
    const share = (s: string) => data.people.filter((p) => p.status === s).length / data.people.length;
    expect(share('active')).toBeGreaterThan(0.85);
    expect(share('active')).toBeLessThan(0.92);
    expect(share('retired')).toBeGreaterThan(0.03);
    expect(share('retired')).toBeLessThan(0.07);
    expect(share('transferred')).toBeGreaterThan(0.015);
    expect(share('transferred')).toBeLessThan(0.045);
    expect(share('on_leave')).toBeGreaterThan(0.008);
    expect(share('on_leave')).toBeLessThan(0.035);
    expect(share('dismissed')).toBeGreaterThan(0.003);
    expect(share('dismissed')).toBeLessThan(0.02);
    expect(share('deceased')).toBeGreaterThan(0);
    expect(share('deceased')).toBeLessThan(0.01);
  });

  it('keeps histories consistent: ordered, resolvable, matching the current fields, and inside unit lifetimes', () => {
    // Checked on several seeds: rare branches (pre-merger retirees, 2026 transfers) vary with the seed.
    const people = [data, generateDemoData(1), generateDemoData(99_991)].flatMap((d) => d.people);
    for (const p of people) {
      expect(p.history.length).toBeGreaterThan(0);
      const last = p.history[p.history.length - 1]!;
      expect({ status: p.status, unitKey: p.unitKey, position: p.position, statusSince: p.statusSince }).toEqual({
        status: last.status, unitKey: last.unitKey, position: last.position, statusSince: last.effectiveFrom,
      });
      for (let i = 0; i < p.history.length; i++) {
        const h = p.history[i]!;
        const u = unitByKey.get(h.unitKey);
        expect(u, `${p.key}: ${h.unitKey}`).toBeDefined();
        expect(h.effectiveFrom >= u!.validFrom, `${p.key} joins ${u!.key} before it exists`).toBe(true);
        if (u!.validTo !== null) expect(h.effectiveFrom <= u!.validTo, `${p.key} in ${u!.key} after it closed`).toBe(true);
        if (i > 0) expect(h.effectiveFrom > p.history[i - 1]!.effectiveFrom, `${p.key} history order`).toBe(true);
      }
      expect(p.history[0]!.effectiveFrom >= `${Number(p.dateOfBirth.slice(0, 4)) + 18}${p.dateOfBirth.slice(4)}`, `${p.key} too young`).toBe(true);
      expect(p.statusSince <= '2026-12-31').toBe(true);
    }
  });

  it('moves everyone who worked in a former unit into a current unit when it closed (unless they left first)', () => {
    for (const p of data.people) {
      const former = p.history.findIndex((h) => unitByKey.get(h.unitKey)!.validTo !== null);
      if (former < 0) continue;
      const next = p.history.slice(former).find((h) => unitByKey.get(h.unitKey)!.validTo === null);
      if (!next) {
        expect(p.status, p.key).toBe('retired');
        continue;
      }
      expect(['2025-07-01', '2025-07-17']).toContain(next.effectiveFrom);
      expect(next.decision).toMatch(/^(Nghị quyết|Quyết định) /);
    }
    const moved = data.people.filter((p) => p.history.some((h) => h.note === 'Điều động công tác'));
    expect(moved.length).toBeGreaterThan(0);
    for (const p of moved) expect(p.history.find((h) => h.note === 'Điều động công tác')!.decision).toMatch(/^Quyết định \d+\/QĐ-/);
  });

  it('never leaves an active person in a unit that has closed', () => {
    const stranded = data.people.filter((p) => p.status === 'active' && unitByKey.get(p.unitKey)!.validTo !== null);
    expect(stranded).toEqual([]);
  });
});

describe('demo data: determinism', () => {
  it('gives identical output for the same seed and different people for another seed', () => {
    const again = generateDemoData();
    expect(JSON.stringify(again)).toBe(JSON.stringify(data));
    const other = generateDemoData(42);
    expect(other.units).toEqual(data.units);
    expect(other.people.map((p) => p.citizenId)).not.toEqual(data.people.map((p) => p.citizenId));
  });

  it('runs well under a second', () => {
    const start = performance.now();
    generateDemoData(7);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
