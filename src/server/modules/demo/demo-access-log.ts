import type { AccessLogInput } from '../../../contracts/access-log.js';
import type { Keys } from '../../core/keys.js';
import { newId } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import type { ImportedAccount } from '../accounts/account-file.js';
import { latestSnapshot } from '../accounts/accounts.repository.js';
import { storeSnapshotTx } from '../accounts/accounts.service.js';
import type { AccountSourceRow } from '../accounts/accounts.table.js';
import { ingestAccessRecordsTx } from '../access-log/ingest.service.js';
import { analyseAccessLogs } from '../access-log/lookup-alerts.service.js';
import { DemoRandom } from './demo-random.js';

export const DEMO_ACCESS_SEED = 20251126;
/** The two former provinces' administrative-procedure (one-stop) systems that look citizens up. */
export const DEMO_ACCESS_SYSTEMS = ['BD-MCDT', 'GLC-MCDT'] as const;
/** A citizen several officials looked up (the e2e test and the docs search for this CCCD). */
export const DEMO_CITIZEN_ID = '052190012345';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const WEEKS = 4;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** The instant of a Vietnam local time `days` days before `now` (date part), at h:m. */
function vnAt(nowMs: number, days: number, h: number, m: number): number {
  const day = new Date(nowMs - days * DAY + 7 * HOUR).toISOString().slice(0, 10);
  return Date.parse(`${day}T${pad(h)}:${pad(m)}:00+07:00`);
}
const isWeekend = (ms: number) => [0, 6].includes(new Date(ms + 7 * HOUR).getUTCDay());

interface Actor {
  username: string;
  ip: string;
  device: string;
}

/**
 * Deterministic access logs for the demo (issue 5): the two former provinces' one-stop TTHC systems (Bình
 * Định and Gia Lai cũ) sending login and look-up records for four weeks, sent with a per-system API key.
 * Planted on purpose, so the analytics fire: a retired official's account still looking citizens up; a
 * shared one-stop account used at once from three counters; a night-time bulk look-up of hundreds of
 * citizens without dossier numbers; two officials without MFA; an account unknown to the reconciliation.
 * Runs inside the demo loader's transaction; `analyseDemoAccessLogs` runs the analytics after it commits.
 */
export async function loadDemoAccessLogs(tx: Tx, keys: Keys, now: string): Promise<{ systems: number; records: number }> {
  const rng = new DemoRandom(DEMO_ACCESS_SEED);
  const nowMs = Date.parse(now);
  let total = 0;
  let systems = 0;
  for (const [si, code] of DEMO_ACCESS_SYSTEMS.entries()) {
    const sys = await tx.selectFrom('information_systems').select(['id', 'code', 'owner_unit_id', 'operating_unit_id']).where('code', '=', code).executeTakeFirst();
    if (!sys) continue;
    systems++;
    const prefix = si === 0 ? '052' : '064'; // CCCD province codes: Bình Định 052, Gia Lai 064
    const net = si === 0 ? '10.52' : '10.64';
    // The accounts: the system's latest snapshot (demo accounts) plus the one-stop staff below, as a new snapshot.
    const snap = await latestSnapshot(tx, sys.id);
    const previous = snap ? await tx.selectFrom('system_accounts').selectAll().where('snapshot_id', '=', snap.id).execute() : [];
    const accounts: ImportedAccount[] = previous.map((a) => ({
      username: a.username, displayName: a.display_name, email: a.email, citizenIdHash: a.citizen_id_hash, dateOfBirth: a.date_of_birth, unitText: a.unit_text,
      roles: JSON.parse(a.roles_json) as string[], privileged: a.privileged === 1, enabled: a.enabled === 1, locked: a.locked === 1, lastLoginAt: a.last_login_at,
      mfa: a.mfa === null ? null : a.mfa === 1, createdAt: a.account_created_at,
    }));
    const used = new Set(accounts.map((a) => a.username));
    const people = await tx.selectFrom('people as p').innerJoin('org_units as u', 'u.id', 'p.unit_id').select(['p.id', 'p.full_name', 'p.email', 'p.status', 'u.name as unit'])
      .where('p.email', 'is not', null).orderBy('p.email').execute();
    const active = people.filter((p) => p.status === 'active');
    const retired = people.filter((p) => p.status === 'retired');
    const add = (p: { full_name: string; email: string | null; unit: string }, username: string, mfa: boolean): string => {
      let name = username;
      for (let i = 2; used.has(name); i++) name = `${username}${i}`;
      used.add(name);
      accounts.push({ username: name, displayName: p.full_name, email: p.email, citizenIdHash: null, dateOfBirth: null, unitText: p.unit, roles: ['Cán bộ một cửa'],
        privileged: false, enabled: true, locked: false, lastLoginAt: new Date(nowMs - DAY).toISOString(), mfa, createdAt: '2025-07-01T00:00:00.000Z' });
      return name;
    };
    const staff: Actor[] = [];
    const tag = si === 0 ? 'bd' : 'gl';
    for (let i = 0; i < 24; i++) {
      const p = active[(si * 97 + i * 37) % active.length]!;
      // Two officials per system have no second factor (the no-MFA analytic).
      staff.push({ username: add(p, `motcua.${tag}${pad(i + 1)}`, i >= 2), ip: `${net}.1.${20 + i}`, device: `PC-MOTCUA-${tag.toUpperCase()}-${pad(i + 1)}` });
    }
    const leaver = retired.length ? add(retired[(si * 13) % retired.length]!, `nghihuu.${tag}`, true) : null;
    const shared = add({ full_name: 'Bộ phận một cửa (tài khoản chung)', email: null, unit: 'Trung tâm Phục vụ hành chính công' }, `motcua.chung.${tag}`, false);
    const unknown = `tk.tam.${tag}`; // never in the account list: an account the reconciliation does not know

    const src: AccountSourceRow = {
      id: newId(), system_id: sys.id, name: `Tài khoản cán bộ một cửa ${sys.code}`, kind: 'file',
      mapping_json: JSON.stringify({ username: 'Tên đăng nhập', display_name: 'Họ tên', email: 'Thư điện tử', unit: 'Đơn vị', mfa: 'MFA' }),
      ldap_json: null, ldap_password_enc: null, dormant_days: 45, role_policy_json: null, concurrent_login_minutes: null, privileged_roles_json: JSON.stringify(['Quản trị hệ thống']), created_at: now, updated_at: now,
    };
    await tx.insertInto('account_sources').values(src).execute();
    await storeSnapshotTx(tx, { clock: () => nowMs }, null, src, sys, accounts, 'demo', `${sys.code.toLowerCase()}-tai-khoan-mot-cua.csv`);

    const records: AccessLogInput[] = [];
    const citizen = () => `${prefix}${pad(rng.int(1950, 2006) % 100)}${pad(rng.int(0, 99_999_999), 8)}`.slice(0, 12);
    const dossier = (ms: number) => `H${si === 0 ? '21' : '30'}.${pad(rng.int(1, 99))}-${new Date(ms + 7 * HOUR).toISOString().slice(2, 10).replace(/-/g, '')}-${pad(rng.int(1, 9999), 4)}`;
    const push = (who: Actor, ms: number, action: AccessLogInput['action'], extra: Partial<AccessLogInput> = {}) => records.push({
      account: who.username, action, occurredAt: new Date(ms).toISOString(), outcome: 'success', ip: who.ip, device: who.device,
      sessionId: `${who.username}-${new Date(ms + 7 * HOUR).toISOString().slice(0, 10)}-${who.ip}`, ...extra,
    });
    for (let d = WEEKS * 7; d >= 1; d--) {
      if (isWeekend(vnAt(nowMs, d, 12, 0))) continue;
      for (const who of staff) {
        if (rng.chance(0.1)) continue; // leave, training
        const start = vnAt(nowMs, d, 7, 30 + rng.int(0, 25));
        push(who, start, 'login');
        const n = rng.int(6, 18);
        for (let k = 0; k < n; k++) {
          const t = start + rng.int(5, 540) * 60_000;
          const withCase = rng.chance(0.92);
          push(who, t, 'lookup', { subjectCitizenId: citizen(), ...(withCase ? { caseRef: dossier(t) } : {}) });
        }
      }
      // The shared counter account: three counters at once, every working day of the last two weeks.
      if (d <= 14) {
        for (let c = 0; c < 3; c++) {
          const who = { username: shared, ip: `${net}.9.${10 + c}`, device: `QUAY-${c + 1}` };
          const start = vnAt(nowMs, d, 8, c * 5);
          push(who, start, 'login');
          for (let k = 0; k < 4; k++) push(who, start + (10 + k * 25) * 60_000, 'lookup', { subjectCitizenId: citizen(), caseRef: dossier(start) });
        }
      }
      // The retired official's account, still used in the last three weeks.
      if (leaver && d <= 21 && rng.chance(0.7)) {
        const who = { username: leaver, ip: `${net}.7.${40 + si}`, device: 'LAPTOP-CANHAN' };
        const start = vnAt(nowMs, d, 14, rng.int(0, 50));
        push(who, start, 'login');
        for (let k = 0; k < rng.int(2, 6); k++) push(who, start + k * 7 * 60_000, 'lookup', { subjectCitizenId: citizen() });
      }
      if (d % 5 === 0) push({ username: unknown, ip: `${net}.250.3`, device: 'MAY-LA' }, vnAt(nowMs, d, 10, 15), 'lookup', { subjectCitizenId: citizen() });
    }
    // The one citizen several officials looked up: a dossier over several days, then the retired official.
    for (const [i, d] of [12, 9, 6].entries()) push(staff[i]!, vnAt(nowMs, d, 9, 40), 'lookup', { subjectCitizenId: `${prefix}190012345`, caseRef: `H${si === 0 ? '21' : '30'}.15-0000-${pad(i + 1, 4)}` });
    if (leaver) push({ username: leaver, ip: `${net}.7.${40 + si}`, device: 'LAPTOP-CANHAN' }, vnAt(nowMs, 3, 15, 5), 'lookup', { subjectCitizenId: `${prefix}190012345` });
    // Night-time bulk look-up (Gia Lai cũ): 420 citizens between 22:10 and 00:30, no dossier numbers.
    if (si === 1) {
      const who = staff[5]!;
      const start = vnAt(nowMs, 3, 22, 10);
      push(who, start, 'login', { ip: `${net}.200.17`, device: 'LAPTOP-NGOAI' });
      for (let k = 0; k < 420; k++) push(who, start + k * 20_000, 'lookup', { subjectCitizenId: citizen(), ip: `${net}.200.17`, device: 'LAPTOP-NGOAI' });
    }
    records.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    // One API key per system; the records arrive as the system would send them, in daily batches.
    const keyId = newId();
    await tx.insertInto('system_api_keys').values({
      id: keyId, system_id: sys.id, name: `Máy chủ ${sys.code} (dữ liệu mẫu)`, purpose: 'access_log', key_hash: keys.hmac('api_key', `demo-${keyId}`), key_hint: 'demo',
      created_by: null, created_at: now, last_used_at: null, revoked_at: null, revoked_by: null,
    }).execute();
    const key = await tx.selectFrom('system_api_keys').selectAll().where('id', '=', keyId).executeTakeFirstOrThrow();
    // Weekly batches (a log shipper's backlog); the demo records carry no recordId, so no duplicate look-ups.
    const byWeek = new Map<number, AccessLogInput[]>();
    for (const r of records) {
      const week = Math.floor((nowMs - Date.parse(r.occurredAt)) / (7 * DAY));
      const list = byWeek.get(week);
      if (list) list.push(r);
      else byWeek.set(week, [r]);
    }
    for (const batch of byWeek.values()) {
      await ingestAccessRecordsTx(tx, { keys, clock: () => nowMs }, sys.id, { source: 'api', key, meta: { ip: `${net}.0.5`, userAgent: 'tthc-log-shipper/1.0', requestId: newId() } }, batch);
    }
    total += records.length;
  }
  return { systems, records: total };
}

/** After the demo commits: the look-up analytics over the four weeks of both systems. */
export async function analyseDemoAccessLogs(db: Db, clock: () => number): Promise<number> {
  let alerts = 0;
  const to = new Date(clock()).toISOString();
  const from = new Date(clock() - WEEKS * 7 * DAY).toISOString();
  for (const code of DEMO_ACCESS_SYSTEMS) {
    const sys = await db.selectFrom('information_systems').select('id').where('code', '=', code).executeTakeFirst();
    if (sys) alerts += (await analyseAccessLogs({ db, clock }, { systemId: sys.id, from, to })).alerts;
  }
  return alerts;
}
