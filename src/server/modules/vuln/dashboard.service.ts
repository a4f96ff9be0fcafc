import type { Coverage, FindingQuery, VulnDashboard, VulnSeverity } from '../../../contracts/vuln.js';
import { VULN_SEVERITIES } from '../../../contracts/vuln.js';
import { type Actor, scopeOf } from '../../core/actor.js';
import { NotFoundError } from '../../core/errors.js';
import type { Db } from '../../db/database.js';
import { findUnit } from '../org/org-unit.repository.js';
import { pathInScope, todayVn } from '../org/scope.js';
import { writeWorkbook } from '../inventory/inventory-workbook.js';
import { addDays } from './priority.js';
import { filtered, listFindings, systemsOfAssets, toFinding } from './vuln.repository.js';
import { filterOf } from './vuln.service.js';

type Deps = { db: Db; clock: () => number };
const zero = (): Record<VulnSeverity, number> => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });

/** Monday (UTC) of the week of a date. */
function weekOf(date: string): string {
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/**
 * Remediation dashboard for the actor's scope, a unit or a system: open and overdue by severity, KEV count,
 * a 12-week burn-down (open at each week's end, created and closed in it), SLA compliance by severity (closed
 * within the SLA, or still open and not yet due, versus breached; accepted and false-positive findings left
 * out), and the units and systems with the most open findings.
 */
export async function vulnDashboard(deps: Deps, actor: Actor, q: { unitId?: string; systemId?: string }): Promise<VulnDashboard> {
  const today = todayVn(deps.clock);
  const f = await filterOf(deps, actor, q);
  const rows = await filtered(deps.db, f)
    .select(['f.id', 'f.severity', 'f.status', 'f.first_seen_at', 'f.mitigated_at', 'f.sla_due', 'f.kev', 'f.unit_id', 'u.code as unit_code', 'u.name as unit_name', 'f.asset_id'])
    .execute();
  const openBySeverity = zero();
  const overdueBySeverity = zero();
  let kevOpen = 0;
  const sla = new Map<VulnSeverity, { within: number; breached: number }>(VULN_SEVERITIES.map((s) => [s, { within: 0, breached: 0 }]));
  const units = new Map<string, { unit: { id: string; code: string; name: string }; open: number; overdue: number; kev: number }>();
  const assetOpen = new Map<string, { open: number; overdue: number; kev: number }>();
  const weeks: string[] = [];
  for (let i = 11; i >= 0; i--) weeks.push(weekOf(addDays(today, -7 * i)));
  const burn = weeks.map((w) => ({ week: w, open: 0, created: 0, closed: 0 }));
  for (const r of rows) {
    const sev = r.severity as VulnSeverity;
    const open = r.status === 'open';
    const overdue = open && r.sla_due !== null && r.sla_due < today;
    if (open) {
      openBySeverity[sev]++;
      if (overdue) overdueBySeverity[sev]++;
      if (r.kev === 1) kevOpen++;
      const u = units.get(r.unit_id) ?? { unit: { id: r.unit_id, code: r.unit_code, name: r.unit_name }, open: 0, overdue: 0, kev: 0 };
      u.open++;
      if (overdue) u.overdue++;
      if (r.kev === 1) u.kev++;
      units.set(r.unit_id, u);
      if (r.asset_id) {
        const a = assetOpen.get(r.asset_id) ?? { open: 0, overdue: 0, kev: 0 };
        a.open++;
        if (overdue) a.overdue++;
        if (r.kev === 1) a.kev++;
        assetOpen.set(r.asset_id, a);
      }
    }
    if (r.sla_due && (r.status === 'open' || r.status === 'mitigated')) {
      const s = sla.get(sev)!;
      const closedOn = r.mitigated_at?.slice(0, 10) ?? null;
      if (r.status === 'mitigated' ? closedOn! <= r.sla_due : today <= r.sla_due) s.within++;
      else s.breached++;
    }
    const created = r.first_seen_at.slice(0, 10);
    const closed = r.status === 'mitigated' ? (r.mitigated_at?.slice(0, 10) ?? null) : null;
    for (const b of burn) {
      const end = addDays(b.week, 6);
      if (created <= end && (closed === null || closed > end) && r.status !== 'false_positive') b.open++;
      if (created >= b.week && created <= end) b.created++;
      if (closed && closed >= b.week && closed <= end) b.closed++;
    }
  }
  const systemsMap = await systemsOfAssets(deps.db, [...assetOpen.keys()]);
  const sys = new Map<string, { system: { id: string; code: string; name: string }; open: number; overdue: number; kev: number }>();
  for (const [assetId, a] of assetOpen) {
    for (const s of systemsMap.get(assetId) ?? []) {
      const e = sys.get(s.id) ?? { system: s, open: 0, overdue: 0, kev: 0 };
      e.open += a.open;
      e.overdue += a.overdue;
      e.kev += a.kev;
      sys.set(s.id, e);
    }
  }
  return {
    openBySeverity,
    overdueBySeverity,
    kevOpen,
    burnDown: burn,
    slaCompliance: VULN_SEVERITIES.filter((s) => s !== 'info').map((s) => {
      const x = sla.get(s)!;
      const n = x.within + x.breached;
      return { severity: s, withinSla: x.within, breached: x.breached, percent: n ? Math.round((1000 * x.within) / n) / 10 : null };
    }),
    byUnit: [...units.values()].sort((a, b) => b.overdue - a.overdue || b.open - a.open).slice(0, 30),
    bySystem: [...sys.values()].sort((a, b) => b.overdue - a.overdue || b.open - a.open).slice(0, 30),
  };
}

const PHASE_ORDER = ['during', 'before', 'after'];

/**
 * Malware-scan coverage of servers and workstations in use: covered when, in the last `days`, a real scan
 * (ClamAV log, Wazuh detection) was imported for it, or a Lynis report found a malware scanner installed
 * (Lynis MALW-3275…3288). Per unit (owner unit), for the province (the actor's scope), and by the merger phase of
 * the systems the asset serves (a "during" plan wins over "before" and "after"; assets of no planned system
 * are "no_plan").
 */
export async function malwareCoverage(deps: Deps, actor: Actor, q: { unitId?: string; days: number }): Promise<Coverage> {
  const prefixes = scopeOf(actor, 'vuln.read');
  let unitPath: string | undefined;
  if (q.unitId) {
    const unit = await findUnit(deps.db, q.unitId);
    if (!unit) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
    unitPath = unit.path;
  }
  const since = new Date(deps.clock() - q.days * 86400_000).toISOString();
  let aq = deps.db.selectFrom('assets as a').innerJoin('org_units as u', 'u.id', 'a.owner_unit_id')
    .select(['a.id', 'a.code', 'a.name', 'a.kind', 'a.owner_unit_id', 'u.code as unit_code', 'u.name as unit_name'])
    .where('a.kind', 'in', ['server', 'workstation']).where('a.status', '=', 'in_use').where(pathInScope('u.path', prefixes));
  if (unitPath) aq = aq.where('u.path', 'like', `${unitPath}%`);
  const assets = await aq.orderBy('u.code').orderBy('a.code').execute();
  const ids = assets.map((a) => a.id);
  const latest = new Map<string, { scanned_at: string; tool: string; source: string; infected: number; scanner_installed: number | null }>();
  const hardening = new Map<string, number>(); // the latest Lynis hardening index of the period
  const phase = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const scans = await deps.db.selectFrom('malware_scans').select(['asset_id', 'scanned_at', 'tool', 'source', 'infected', 'scanner_installed', 'hardening_index'])
      .where('asset_id', 'in', chunk).where('scanned_at', '>=', since).orderBy('scanned_at', 'desc').execute();
    for (const s of scans) {
      const cur = latest.get(s.asset_id!);
      // A real scan beats a Lynis "installed" note of the same period.
      if (!cur || (cur.source === 'lynis' && s.source !== 'lynis')) latest.set(s.asset_id!, s);
      if (s.hardening_index !== null && !hardening.has(s.asset_id!)) hardening.set(s.asset_id!, s.hardening_index);
    }
    const plans = await deps.db.selectFrom('system_assets as sa').innerJoin('merger_plans as p', 'p.system_id', 'sa.system_id').select(['sa.asset_id', 'p.phase']).where('sa.asset_id', 'in', chunk).execute();
    for (const p of plans) {
      const cur = phase.get(p.asset_id);
      if (!cur || PHASE_ORDER.indexOf(p.phase) < PHASE_ORDER.indexOf(cur)) phase.set(p.asset_id, p.phase);
    }
  }
  const pct = (c: number, t: number) => (t ? Math.round((1000 * c) / t) / 10 : null);
  const byUnit = new Map<string, { unit: { id: string; code: string; name: string }; total: number; covered: number }>();
  const byPhase = new Map<string, { total: number; covered: number }>(['before', 'during', 'after', 'no_plan'].map((p) => [p, { total: 0, covered: 0 }]));
  let covered = 0;
  const list = assets.map((a) => {
    const s = latest.get(a.id);
    const isCovered = !!s && (s.source !== 'lynis' || s.scanner_installed === 1);
    const result = !s ? 'never' : s.source === 'lynis' ? (s.scanner_installed === 1 ? 'scanner_installed' : 'no_scanner') : s.infected > 0 ? 'infected' : 'clean';
    if (isCovered) covered++;
    const u = byUnit.get(a.owner_unit_id) ?? { unit: { id: a.owner_unit_id, code: a.unit_code, name: a.unit_name }, total: 0, covered: 0 };
    u.total++;
    if (isCovered) u.covered++;
    byUnit.set(a.owner_unit_id, u);
    const ph = byPhase.get(phase.get(a.id) ?? 'no_plan')!;
    ph.total++;
    if (isCovered) ph.covered++;
    return {
      asset: { id: a.id, code: a.code, name: a.name }, kind: a.kind, unit: { id: a.owner_unit_id, code: a.unit_code, name: a.unit_name }, covered: isCovered,
      lastScanAt: s?.scanned_at ?? null, tool: s?.tool ?? null, result: result as Coverage['assets'][number]['result'], infected: s?.infected ?? 0,
      hardeningIndex: hardening.get(a.id) ?? null,
    };
  });
  let dq = deps.db.selectFrom('malware_detections as d').innerJoin('org_units as u', 'u.id', 'd.unit_id').leftJoin('assets as a', 'a.id', 'd.asset_id')
    .select(['d.id', 'd.host_label', 'd.path', 'd.signature', 'd.detected_at', 'd.asset_id', 'a.code', 'a.name', 'd.soc_alert_id']).where(pathInScope('u.path', prefixes));
  if (unitPath) dq = dq.where('u.path', 'like', `${unitPath}%`);
  const detections = await dq.orderBy('d.detected_at', 'desc').limit(200).execute();
  return {
    days: q.days,
    since,
    province: { total: assets.length, covered, percent: pct(covered, assets.length) },
    byUnit: [...byUnit.values()].map((u) => ({ ...u, percent: pct(u.covered, u.total) })).sort((a, b) => (a.percent ?? 0) - (b.percent ?? 0)),
    byMergerPhase: [...byPhase.entries()].map(([p, v]) => ({ phase: p, ...v, percent: pct(v.covered, v.total) })),
    assets: list,
    detections: detections.map((d) => ({
      id: d.id, hostLabel: d.host_label, path: d.path, signature: d.signature, detectedAt: d.detected_at,
      asset: d.asset_id && d.code && d.name ? { id: d.asset_id, code: d.code, name: d.name } : null, socAlertId: d.soc_alert_id,
    })),
  };
}

const SEV_VI: Record<string, string> = { critical: 'Nghiêm trọng', high: 'Cao', medium: 'Trung bình', low: 'Thấp', info: 'Thông tin' };
const STATUS_VI: Record<string, string> = { open: 'Đang mở', mitigated: 'Đã khắc phục', risk_accepted: 'Chấp nhận rủi ro', false_positive: 'Dương tính giả' };

/** XLSX of the filtered findings (up to 100,000 rows), Vietnamese headers, every cell formula-safe (CWE-1236). */
export async function exportFindings(deps: Deps, actor: Actor, q: FindingQuery): Promise<{ body: Buffer; fileName: string }> {
  const { rows } = await listFindings(deps.db, await filterOf(deps, actor, q), q.sort, 1, 100_000);
  const systems = await systemsOfAssets(deps.db, [...new Set(rows.map((r) => r.asset_id).filter((x): x is string => !!x))]);
  const today = todayVn(deps.clock);
  const header = ['Mức độ', 'Ưu tiên', 'Tiêu đề', 'Công cụ', 'Mã plugin/quy tắc', 'Máy', 'Tài sản', 'Hệ thống', 'Đơn vị', 'Cổng', 'CVE', 'KEV', 'EPSS', 'CVSS v3', 'Trạng thái', 'Phát hiện lần đầu', 'Hạn xử lý (SLA)', 'Quá hạn'];
  const out = rows.map((r) => {
    const f = toFinding(r, systems, today);
    return [
      SEV_VI[f.severity] ?? f.severity, f.priority, f.title, f.scanner, f.pluginId, f.hostLabel, f.asset ? `${f.asset.code} ${f.asset.name}` : '', f.systems.map((s) => s.name).join('; '),
      f.unit.name, f.port === null ? '' : `${f.port}/${f.protocol ?? ''}`, f.cves.join(', '), f.kev ? `Có (hạn ${f.kevDue})` : '', f.epss ?? '', f.cvss3Vector ?? '',
      STATUS_VI[f.status] ?? f.status, f.firstSeenAt.slice(0, 10), f.slaDue ?? '', f.overdue ? 'Có' : '',
    ];
  });
  return { body: await writeWorkbook([{ name: 'Lỗ hổng', header, rows: out }]), fileName: `lo-hong-${today}.xlsx` };
}
