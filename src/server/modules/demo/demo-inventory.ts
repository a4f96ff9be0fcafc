import type { Checkpoint } from '../../../contracts/merger.js';
import type { ReconcileReport } from '../../../contracts/reconcile.js';
import { newId } from '../../db/columns.js';
import type { Tx } from '../../db/database.js';
import { type LevelFacts, proposeLevel } from '../../engines/level-advisor/level-advisor.js';
import { checkpointTask } from '../merger/merger.service.js';
import { refreshProposal } from '../inventory/system.service.js';
import { type CatalogueEntry, DEPARTMENTAL, legacyOf, SHARED } from './demo-inventory-catalogue.js';
import { DemoRandom, fromDay, toDay } from './demo-random.js';
import { buildDemoUnits } from './demo-units.js';

/**
 * Deterministic demo inventory: ~150 systems of the new Gia Lai (shared platforms, what each former province
 * brought, departmental and police systems, commune websites, the former districts' portals), their servers,
 * workstations and network/security devices, a merger plan mid-way (some tasks done, some overdue), one
 * maintenance window, one unplanned outage and one reconciliation that found missing rows.
 * Pure generator (seeded PRNG, no clock: "mid-way" is relative to DEMO_REFERENCE_DAY) + a loader for one Tx.
 */

export const DEMO_INVENTORY_SEED = 20250701;
/** The day the demo plan is "as of": tasks due before it are mostly done, some overdue. */
export const DEMO_REFERENCE_DAY = '2026-11-20';

export interface DemoLevel { level: number; dossierNo: string; decisionNo: string | null; decisionDate: string | null }
export interface DemoSystem extends CatalogueEntry { status: string; legacy: DemoLevel | null; next: DemoLevel | null; rto: number; rpo: number; docs: { number: string; date: string; title: string }[] }
export interface DemoAsset {
  code: string; kind: string; name: string; hostname: string | null; ips: string[]; osName: string | null; osVersion: string | null;
  software: { vendor: string | null; product: string; version: string | null; cpe: string | null }[]; location: string; ownerCode: string;
  status: string; systemCodes: string[]; reuse: string | null; reuseTargetCode: string | null; reuseDecision: string | null;
}
export interface DemoTask { title: string; checkpoint: Checkpoint; status: string; ownerCode: string; assignee: string; dueDate: string; doneAt: string | null; evidence: string | null }
export interface DemoPlan { systemCode: string; disposition: string; targetCode: string | null; phase: string; targetStart: string; targetEnd: string; leadCode: string; responsibleCodes: string[]; decision: string; tasks: DemoTask[] }
export interface DemoInventory {
  systems: DemoSystem[];
  assets: DemoAsset[];
  plans: DemoPlan[];
  window: { systemCode: string; title: string; startsAt: string; endsAt: string; taskCheckpoint: Checkpoint };
  outages: { systemCode: string; startedAt: string; endedAt: string; cause: string }[];
  reconciliation: { systemCode: string; checkpoint: Checkpoint; report: ReconcileReport };
}

const CDS = 'SO-KHCN-TT-CDS';
const PLAN_DECISION = 'Kế hoạch 112/KH-UBND ngày 20/06/2025 về hợp nhất hạ tầng, hệ thống thông tin';
const CHECKPOINTS: Checkpoint[] = ['backup_taken', 'data_migrated', 'accounts_migrated', 'security_assessed', 'old_system_switched_off'];
const ASSIGNEES = ['Trần Văn Hải', 'Nguyễn Thị Thu Hà', 'Lê Minh Tuấn', 'Phạm Quốc Bảo', 'Võ Thị Kim Ngân', 'Huỳnh Đức Thịnh', 'Rơ Mah Hlim', 'Đinh Văn Khoa'];

function factsOf(e: CatalogueEntry): LevelFacts {
  const i = e.info ?? {};
  return {
    type: e.type,
    information: { public: true, private: !!i.priv, personal: !!i.personal, personalSubjects: i.personal ?? null, sensitivePersonal: !!i.sensitive, sensitiveSubjects: i.sensitive ?? null, stateSecret: i.secret ?? 'none' },
    onlineServiceLevel: e.dvc ?? null, administrativeProcedure: !!e.tthc, conditionalBusiness: !!e.conditional, infrastructureScope: e.infra ?? 'none',
    icsWorkGrade: e.ics ?? 'none', nationalEgov24x7: false, nationalSecurityImpact: e.impact ?? 'none', externalUsers: e.users?.[1] ?? null,
  };
}

/** The catalogue entries: fixed lists plus commune websites and the former districts' portals. */
function catalogue(): CatalogueEntry[] {
  const plan = buildDemoUnits();
  const codeOf = (key: string) => key.slice(3).toUpperCase();
  const communes = plan.communes.filter((c, i) => c.ward || i % 4 === 0).slice(0, 52);
  const sites: CatalogueEntry[] = communes.map((c) => ({
    code: `${codeOf(c.key)}-TTDT`, name: `Trang thông tin điện tử ${c.ward ? 'phường' : 'xã'} ${c.name}`, purpose: 'Công khai thông tin, thủ tục hành chính của xã, phường',
    type: 'citizen_service', owner: codeOf(c.key), operating: CDS, security: 'SO-KHCN', origin: 'new', dvc: 1, users: [15, 0], hosting: 'provincial_data_centre',
  }));
  const districts: CatalogueEntry[] = plan.units.filter((u) => u.type === 'former_district').map((d, i) => ({
    code: `${d.code}-CTTDT`, name: `Cổng thông tin điện tử ${d.name.replace(/^UBND /, '')} (cũ)`, purpose: 'Thông tin của chính quyền cấp huyện trước ngày 01/07/2025',
    type: 'citizen_service', owner: codeOf(d.mergedIntoKey!), operating: CDS, security: 'SO-KHCN', origin: d.code.startsWith('BD') ? 'bd' : 'gl', dvc: i % 3 === 0 ? 3 : 2,
    info: i % 3 === 0 ? { priv: true, personal: 4_000 + i * 350 } : undefined, users: [20, 0], hosting: 'unit_server_room', fate: { disposition: 'retire' },
  }));
  return [...SHARED, ...legacyOf('bd'), ...legacyOf('gl'), ...DEPARTMENTAL, ...sites, ...districts];
}

function level(rng: DemoRandom, e: CatalogueEntry, regime: 'nd85' | 'nd331', year: number): DemoLevel {
  const l = proposeLevel(factsOf(e), regime).level;
  const approved = regime === 'nd85' || rng.chance(0.55);
  const no = rng.int(10, 990);
  const day = regime === 'nd85' ? `${year}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}` : fromDay(toDay('2026-08-20') + rng.int(0, 80));
  return { level: l, dossierNo: `HS-${regime === 'nd85' ? '85' : '331'}/${no}`, decisionNo: approved ? `${no}/QĐ-UBND` : null, decisionDate: approved ? day : null };
}

/** Generate the demo inventory (pure: same seed, same output). */
export function generateDemoInventory(seed: number = DEMO_INVENTORY_SEED): DemoInventory {
  const rng = new DemoRandom(seed);
  const entries = catalogue();
  const systems: DemoSystem[] = entries.map((e) => {
    const legacySys = e.origin !== 'new';
    const legacy = legacySys || (e.code.startsWith('GL-') && !e.parent) || (e.origin === 'new' && !e.code.includes('TTDT') && rng.chance(0.7)) ? level(rng, e, 'nd85', rng.int(2018, 2024)) : null;
    const next = !legacySys && rng.chance(e.code.includes('TTDT') ? 0.25 : 0.45) ? level(rng, e, 'nd331', 2026) : null;
    const crit = proposeLevel(factsOf(e), 'nd331').level >= 3;
    return {
      ...e, legacy, next, status: legacySys ? 'being_merged' : 'in_operation', rto: crit ? 240 : 1_440, rpo: crit ? 60 : 720,
      docs: [{ number: `${rng.int(100, 2900)}/QĐ-UBND`, date: `${rng.int(2016, 2025)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`, title: `Phê duyệt đầu tư ${e.name}` }],
    };
  });

  // Merger plan: every system of a former province, plus the shared platforms that receive them ("keep").
  const plans: DemoPlan[] = [];
  const ref = toDay(DEMO_REFERENCE_DAY);
  for (const s of systems) {
    const receiving = SHARED.some((x) => x.code === s.code) && systems.some((o) => o.fate?.into === s.code);
    if (!s.fate && !receiving) continue;
    const disposition = s.fate?.disposition ?? 'keep';
    const retireLate = disposition === 'retire' && s.code.includes('-D');
    const start = retireLate ? '2025-07-01' : fromDay(toDay('2025-07-01') + rng.int(0, 60));
    const end = fromDay(toDay(start) + (retireLate ? rng.int(120, 300) : rng.int(240, 640)));
    const tasks: DemoTask[] = (disposition === 'keep' ? (['data_migrated', 'accounts_migrated', 'security_assessed'] as Checkpoint[]) : CHECKPOINTS).map((cp, i, all) => {
      const due = fromDay(toDay(start) + Math.round(((toDay(end) - toDay(start)) * (i + 1)) / all.length));
      const past = toDay(due) < ref;
      const status = past ? (rng.chance(0.8) ? 'done' : rng.pick(['in_progress', 'todo', 'blocked'])) : rng.chance(0.25) ? 'in_progress' : 'todo';
      return {
        title: checkpointTask(cp),
        checkpoint: cp, status, ownerCode: s.operating ?? s.owner, assignee: rng.pick(ASSIGNEES), dueDate: due,
        doneAt: status === 'done' ? `${fromDay(toDay(due) - rng.int(0, 10))}T09:30:00.000Z` : null,
        evidence: status === 'done' ? `Biên bản ngày ${fromDay(toDay(due) - 1).split('-').reverse().join('/')}` : null,
      };
    });
    if (tasks.length && tasks.every((t) => t.status === 'done') && disposition !== 'keep') s.status = 'retired';
    plans.push({
      systemCode: s.code, disposition, targetCode: s.fate?.into ?? null, phase: disposition === 'retire' || disposition === 'reuse_assets' ? 'after' : 'during',
      targetStart: start, targetEnd: end, leadCode: CDS, responsibleCodes: [...new Set([s.owner, CDS])], decision: PLAN_DECISION, tasks,
    });
  }

  // Assets.
  const assets: DemoAsset[] = [];
  const net = (s: CatalogueEntry) => (s.owner === 'CA' ? 50 : s.origin === 'bd' ? 30 : s.origin === 'gl' ? 40 : 20);
  const room = (s: CatalogueEntry) => s.owner === 'CA' ? 'Phòng máy chủ Công an tỉnh, phường Quy Nhơn' : s.origin === 'bd' ? 'Trung tâm dữ liệu tỉnh Bình Định (cũ), phường Quy Nhơn' : s.origin === 'gl' ? 'Phòng máy chủ Sở TT&TT Gia Lai (cũ), phường Pleiku' : 'Trung tâm dữ liệu tỉnh, 127 Hai Bà Trưng, phường Quy Nhơn';
  const nginx = { vendor: 'F5', product: 'nginx', version: '1.24.0', cpe: 'cpe:2.3:a:f5:nginx:1.24.0:*:*:*:*:*:*:*' };
  const tomcat = { vendor: 'Apache', product: 'Tomcat', version: '9.0.85', cpe: 'cpe:2.3:a:apache:tomcat:9.0.85:*:*:*:*:*:*:*' };
  const pg = { vendor: 'PostgreSQL', product: 'PostgreSQL', version: '14.11', cpe: 'cpe:2.3:a:postgresql:postgresql:14.11:*:*:*:*:*:*:*' };
  const mssql = { vendor: 'Microsoft', product: 'SQL Server', version: '2019', cpe: 'cpe:2.3:a:microsoft:sql_server:2019:*:*:*:*:*:*:*' };
  let host = 10;
  for (const s of systems) {
    if (s.code.endsWith('-TTDT') || s.parent || s.code === 'GL-TSLCD') continue; // commune sites share web servers; parts run on the whole
    const n = s.code.startsWith('GL-') ? 2 : 1;
    const legacyFate = s.fate && s.fate.disposition !== 'keep' ? s.fate.disposition : null;
    for (let k = 1; k <= n + (s.info?.personal ? 1 : 0); k++) {
      const isDb = k > n;
      const ip = `10.${net(s)}.${Math.floor(host / 250)}.${(host % 250) + 2}`;
      host++;
      const reuse = legacyFate ? (s.origin === 'bd' ? 'reuse' : rng.pick(['transfer', 'dispose', 'reuse'])) : null;
      assets.push({
        code: `${s.code}-${isDb ? 'DB' : 'APP'}${String(k).padStart(2, '0')}`, kind: isDb ? 'database' : 'server', name: `${isDb ? 'Máy chủ cơ sở dữ liệu' : 'Máy chủ ứng dụng'} ${s.name}`,
        hostname: `${s.code.toLowerCase()}-${isDb ? 'db' : 'app'}${String(k).padStart(2, '0')}`, ips: [ip],
        osName: isDb && rng.chance(0.3) ? 'Windows Server' : 'Ubuntu Server', osVersion: isDb && rng.chance(0.3) ? '2019' : rng.pick(['20.04', '22.04', '22.04']),
        software: isDb ? [rng.chance(0.7) ? pg : mssql] : [nginx, tomcat], location: room(s), ownerCode: s.operating ?? s.owner, status: 'in_use', systemCodes: [s.code],
        reuse, reuseTargetCode: reuse === 'transfer' ? 'PHUONG-13' : null, reuseDecision: reuse ? PLAN_DECISION : null,
      });
    }
  }
  const sitesCodes = systems.filter((s) => s.code.endsWith('-TTDT')).map((s) => s.code);
  for (const k of [1, 2]) {
    assets.push({
      code: `GL-TTDL-WEB0${k}`, kind: 'server', name: `Máy chủ web dùng chung cho trang thông tin xã, phường ${k}`, hostname: `gl-web0${k}`, ips: [`10.20.9.${10 + k}`],
      osName: 'Ubuntu Server', osVersion: '22.04', software: [nginx, { vendor: 'PHP', product: 'PHP', version: '8.1.27', cpe: 'cpe:2.3:a:php:php:8.1.27:*:*:*:*:*:*:*' }],
      location: room(SHARED[0]!), ownerCode: CDS, status: 'in_use', systemCodes: sitesCodes.filter((_, i) => i % 2 === k - 1), reuse: null, reuseTargetCode: null, reuseDecision: null,
    });
  }
  const devices: [string, string, string, string, string, string, string | null][] = [
    ['GL-TTDL-FW01', 'security_device', 'Tường lửa biên Trung tâm dữ liệu tỉnh', 'FortiOS', '7.2.8', 'Fortinet FortiGate 600F', 'cpe:2.3:o:fortinet:fortios:7.2.8:*:*:*:*:*:*:*'],
    ['GL-TTDL-FW02', 'security_device', 'Tường lửa biên Trung tâm dữ liệu tỉnh (dự phòng)', 'FortiOS', '7.2.8', 'Fortinet FortiGate 600F', 'cpe:2.3:o:fortinet:fortios:7.2.8:*:*:*:*:*:*:*'],
    ['GL-TTDL-WAF01', 'security_device', 'Tường lửa ứng dụng web', 'FortiWeb OS', '7.4.2', 'Fortinet FortiWeb 1000F', null],
    ['GL-TTDL-CORE01', 'network_device', 'Chuyển mạch lõi Trung tâm dữ liệu', 'NX-OS', '10.2(5)', 'Cisco Nexus 93180YC-FX', 'cpe:2.3:o:cisco:nx-os:10.2\\(5\\):*:*:*:*:*:*:*'],
    ['GL-TSLCD-R01', 'network_device', 'Bộ định tuyến mạng TSLCD cấp II', 'IOS XE', '17.9.4', 'Cisco ISR 4451', null],
    ['BD-TTDL-FW01', 'security_device', 'Tường lửa Trung tâm dữ liệu Bình Định (cũ)', 'PAN-OS', '10.1.11', 'Palo Alto PA-3220', 'cpe:2.3:o:paloaltonetworks:pan-os:10.1.11:*:*:*:*:*:*:*'],
    ['GLC-TTDL-SW01', 'network_device', 'Chuyển mạch phòng máy chủ Gia Lai (cũ)', 'Comware', '7.1', 'HPE 5130', null],
  ];
  devices.forEach(([code, kind, name, os, ver, product, cpe], i) => {
    const legacyDev = !code.startsWith('GL-');
    assets.push({
      code, kind, name, hostname: code.toLowerCase(), ips: [`10.${legacyDev ? (code.startsWith('BD') ? 30 : 40) : 20}.0.${i + 1}`], osName: os, osVersion: ver,
      software: [{ vendor: product.split(' ')[0]!, product, version: ver, cpe }], location: legacyDev ? (code.startsWith('BD') ? room({ origin: 'bd' } as CatalogueEntry) : room({ origin: 'gl' } as CatalogueEntry)) : room(SHARED[0]!),
      ownerCode: CDS, status: 'in_use', systemCodes: code.includes('TSLCD') ? ['GL-TSLCD'] : [code.startsWith('BD') ? 'BD-TTDL' : code.startsWith('GLC') ? 'GLC-TTDL' : 'GL-TTDL'],
      reuse: legacyDev ? (code.startsWith('BD') ? 'reuse' : 'dispose') : null, reuseTargetCode: null, reuseDecision: legacyDev ? PLAN_DECISION : null,
    });
  });
  const bodies = [...new Set(DEPARTMENTAL.map((d) => d.owner)), 'VP-UBND', 'TT-PVHCC'];
  let ws = 1;
  for (const b of bodies) {
    for (let k = 1; k <= 3; k++) {
      assets.push({
        code: `${b}-WS-${String(k).padStart(3, '0')}`, kind: 'workstation', name: `Máy trạm cán bộ ${k} – ${b}`, hostname: `${b.toLowerCase()}-pc${String(k).padStart(3, '0')}`,
        ips: [`10.${b === 'CA' ? 51 : 21}.${Math.floor(ws / 200)}.${(ws % 200) + 20}`], osName: 'Windows', osVersion: rng.pick(['10 22H2', '11 23H2', '11 23H2']),
        software: [{ vendor: 'Microsoft', product: 'Office', version: '2021', cpe: null }, { vendor: 'Bkav', product: 'Bkav Endpoint', version: '2025', cpe: null }],
        location: `Trụ sở ${b}`, ownerCode: b === 'CA' ? 'CA-PA05' : b, status: 'in_use', systemCodes: b === 'CA' ? ['CA-CUTRU'] : ['GL-IOFFICE', 'GL-MAIL'], reuse: null, reuseTargetCode: null, reuseDecision: null,
      });
      ws++;
    }
  }

  return {
    systems,
    assets,
    plans,
    window: { systemCode: 'GL-IOFFICE', title: 'Cắt chuyển dữ liệu văn bản Bình Định sang VNPT-iOffice tỉnh Gia Lai', startsAt: '2025-08-16T22:00:00+07:00', endsAt: '2025-08-17T06:00:00+07:00', taskCheckpoint: 'data_migrated' },
    outages: [
      { systemCode: 'GL-IOFFICE', startedAt: '2025-08-16T22:10:00+07:00', endedAt: '2025-08-17T04:45:00+07:00', cause: 'Cắt chuyển theo kế hoạch' },
      { systemCode: 'GL-IGATE', startedAt: '2025-09-03T08:12:00+07:00', endedAt: '2025-09-03T10:40:00+07:00', cause: 'Quá tải kết nối cơ sở dữ liệu sau khi nhập dữ liệu hồ sơ của Gia Lai (cũ)' },
    ],
    reconciliation: { systemCode: 'BD-QLVB', checkpoint: 'data_migrated', report: demoReconcileReport() },
  };
}

/** A reconcile report (src/contracts/reconcile.ts) of the Bình Định documents moved into iOffice: 37 rows missing. */
function demoReconcileReport(): ReconcileReport {
  const counts = { equal: 184_512, missing: 37, extra: 0, changed: 4 };
  return {
    outcome: 'different',
    mode: 'rows',
    source: { label: 'PostgreSQL qlvb_binhdinh.van_ban_den (Bình Định, trước hợp nhất)', kind: 'postgres', rowsRead: counts.equal + counts.missing + counts.changed },
    target: { label: 'PostgreSQL ioffice_gialai.van_ban_den (VNPT-iOffice tỉnh Gia Lai)', kind: 'postgres', rowsRead: counts.equal + counts.extra + counts.changed },
    counts,
    samples: {
      missing: [{ so_ky_hieu: '125/UBND-VX', ngay_den: '2025-06-27' }, { so_ky_hieu: '126/UBND-VX', ngay_den: '2025-06-27' }, { so_ky_hieu: '88/SYT-NVY', ngay_den: '2025-06-30' }],
      extra: [],
      changed: [{ key: { so_ky_hieu: '1032/STC-NS', ngay_den: '2025-06-12' }, columns: [{ column: 'trich_yeu', source: 'V/v bổ sung dự toán ngân sách năm 2025', target: 'V/v bổ sung dự toán ngân sách năm 2O25' }] }],
    },
    ranges: { compared: 0, skipped: 0, rowsSkipped: 0 },
    keyColumns: ['so_ky_hieu', 'ngay_den'],
    comparedColumns: ['trich_yeu', 'co_quan_ban_hanh', 'ngay_van_ban', 'do_khan'],
    normalisation: { rowHash: 'sha256', emptyIsNull: true, decimalComma: false, assumeTimezone: 'Asia/Ho_Chi_Minh' },
    startedAt: '2025-08-17T01:20:00.000Z',
    finishedAt: '2025-08-17T01:21:43.000Z',
    durationMs: 103_000,
  };
}

/** Insert the demo inventory in the demo loader's transaction (units must exist; matched by code). */
export async function loadDemoInventory(tx: Tx, now: string): Promise<{ systems: number; assets: number; plans: number; tasks: number }> {
  const data = generateDemoInventory();
  const units = new Map((await tx.selectFrom('org_units').select(['id', 'code']).execute()).map((u) => [u.code, u.id]));
  const unit = (code: string) => {
    const id = units.get(code);
    if (!id) throw new Error(`demo inventory: no unit ${code}`);
    return id;
  };
  const sysIds = new Map(data.systems.map((s) => [s.code, newId()]));
  const rows = data.systems.map((s) => {
    const f = factsOf(s);
    return {
      id: sysIds.get(s.code)!, code: s.code, name: s.name, name_folded: s.name.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase(),
      purpose: s.purpose, type: s.type, status: s.status, owner_unit_id: unit(s.owner), operating_unit_id: s.operating ? unit(s.operating) : null,
      security_unit_id: s.security ? unit(s.security) : null, parent_system_id: null, origin: s.origin, internal_users: s.users?.[0] ?? null, external_users: s.users?.[1] ?? null,
      information_json: JSON.stringify(f.information), online_service_level: f.onlineServiceLevel, administrative_procedure: f.administrativeProcedure ? 1 : 0,
      conditional_business: f.conditionalBusiness ? 1 : 0, infrastructure_scope: f.infrastructureScope, ics_work_grade: f.icsWorkGrade, national_egov_24x7: 0,
      national_security_impact: f.nationalSecurityImpact,
      connections_json: JSON.stringify({ lgsp: !!s.lgsp, ndxp: !!s.ndxp, nationalPopulationDb: !!s.csdldc, others: s.fate?.into ? [{ systemId: sysIds.get(s.fate.into) ?? null, name: s.fate.into }] : [] }),
      hosting: s.hosting ?? null, hosting_detail: null, rto_minutes: s.rto, rpo_minutes: s.rpo, approval_documents_json: JSON.stringify(s.docs),
      legacy_level: s.legacy?.level ?? null, legacy_dossier_no: s.legacy?.dossierNo ?? null, legacy_decision_no: s.legacy?.decisionNo ?? null, legacy_decision_date: s.legacy?.decisionDate ?? null,
      new_level: s.next?.level ?? null, new_dossier_no: s.next?.dossierNo ?? null, new_decision_no: s.next?.decisionNo ?? null, new_decision_date: s.next?.decisionDate ?? null,
      proposed_level: null, proposal_json: null, created_at: now, updated_at: now,
    };
  });
  for (let i = 0; i < rows.length; i += 100) await tx.insertInto('information_systems').values(rows.slice(i, i + 100)).execute();
  for (const s of data.systems) if (s.parent) await tx.updateTable('information_systems').set({ parent_system_id: sysIds.get(s.parent)! }).where('id', '=', sysIds.get(s.code)!).execute();
  for (const s of data.systems) await refreshProposal(tx, sysIds.get(s.code)!);

  const assetRows = data.assets.map((a) => ({
    id: newId(), code: a.code, kind: a.kind, name: a.name, name_folded: a.name.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase(),
    hostname: a.hostname, ips_json: JSON.stringify(a.ips), os_name: a.osName, os_version: a.osVersion, software_json: JSON.stringify(a.software), location: a.location,
    owner_unit_id: unit(a.ownerCode), status: a.status, reuse_disposition: a.reuse, reuse_target_unit_id: a.reuseTargetCode ? unit(a.reuseTargetCode) : null,
    reuse_decision: a.reuseDecision, notes: null, created_at: now, updated_at: now,
  }));
  for (let i = 0; i < assetRows.length; i += 100) await tx.insertInto('assets').values(assetRows.slice(i, i + 100)).execute();
  const links = data.assets.flatMap((a, i) => a.systemCodes.map((c) => ({ system_id: sysIds.get(c)!, asset_id: assetRows[i]!.id, created_at: now })));
  for (let i = 0; i < links.length; i += 200) await tx.insertInto('system_assets').values(links.slice(i, i + 200)).execute();

  const taskIds = new Map<string, string>();
  let tasks = 0;
  for (const p of data.plans) {
    const planId = newId();
    await tx.insertInto('merger_plans').values({
      id: planId, system_id: sysIds.get(p.systemCode)!, disposition: p.disposition, target_system_id: p.targetCode ? sysIds.get(p.targetCode)! : null, phase: p.phase,
      target_start: p.targetStart, target_end: p.targetEnd, lead_unit_id: unit(p.leadCode), responsible_unit_ids_json: JSON.stringify(p.responsibleCodes.map(unit)),
      decision: p.decision, notes: null, created_at: now, updated_at: now,
    }).execute();
    for (const t of p.tasks) {
      const id = newId();
      taskIds.set(`${p.systemCode}/${t.checkpoint}`, id);
      await tx.insertInto('merger_tasks').values({
        id, plan_id: planId, system_id: sysIds.get(p.systemCode)!, title: t.title, checkpoint: t.checkpoint, status: t.status, owner_unit_id: unit(t.ownerCode),
        assignee: t.assignee, due_date: t.dueDate, done_at: t.doneAt, evidence_note: t.evidence, created_at: now, updated_at: now,
      }).execute();
      tasks++;
    }
  }
  const w = data.window;
  const windowId = newId();
  const iso = (s: string) => new Date(s).toISOString();
  await tx.insertInto('maintenance_windows').values({ id: windowId, system_id: sysIds.get(w.systemCode)!, task_id: taskIds.get(`${w.systemCode}/${w.taskCheckpoint}`) ?? null, title: w.title, starts_at: iso(w.startsAt), ends_at: iso(w.endsAt), created_by: null, created_at: now }).execute();
  for (const o of data.outages) {
    const inside = o.systemCode === w.systemCode && iso(o.startedAt) >= iso(w.startsAt) && iso(o.endedAt) <= iso(w.endsAt);
    await tx.insertInto('outages').values({ id: newId(), system_id: sysIds.get(o.systemCode)!, started_at: iso(o.startedAt), ended_at: iso(o.endedAt), planned: inside ? 1 : 0, window_id: inside ? windowId : null, cause: o.cause, created_by: null, created_at: now }).execute();
  }
  const r = data.reconciliation;
  await tx.insertInto('merger_reconciliations').values({
    id: newId(), task_id: taskIds.get(`${r.systemCode}/${r.checkpoint}`)!, system_id: sysIds.get(r.systemCode)!, source_description: r.report.source.label,
    target_description: r.report.target.label, report_json: JSON.stringify(r.report), missing_count: r.report.counts.missing, extra_count: r.report.counts.extra,
    changed_count: r.report.counts.changed, equal_count: r.report.counts.equal, attached_by: null, attached_at: now,
  }).execute();
  return { systems: data.systems.length, assets: data.assets.length, plans: data.plans.length, tasks };
}
