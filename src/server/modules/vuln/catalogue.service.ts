import { type Actor, hasPermission } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import { ForbiddenError, UnprocessableError } from '../../core/errors.js';
import { fromJson, nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import { type ReportSource, type Severity } from '../../engines/scan-import/index.js';
import { reportText } from '../../engines/scan-import/input.js';
import { AssetIndex } from './asset-index.js';
import { addDays, priorityOf, slaDays } from './priority.js';

type Deps = { db: Db; clock: () => number };
const CVE = /^CVE-\d{4}-\d{4,19}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function requireTriage(actor: Actor | null): void {
  // The catalogues are province-wide reference data: vuln.triage anywhere (SOC, admins).
  if (actor && !hasPermission(actor, 'vuln.triage')) throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền cập nhật danh mục KEV/EPSS.', { permission: 'vuln.triage' });
}

/**
 * Load the CISA KEV catalogue (known_exploited_vulnerabilities.json, cisagov/kev-data schema: catalogVersion,
 * vulnerabilities[{cveID, vendorProject, product, vulnerabilityName, dateAdded, dueDate,
 * knownRansomwareCampaignUse}]; research §6.1). Every entry is validated before anything is written; the
 * catalogue is replaced whole and the open findings' KEV flag, due date, SLA and priority recomputed.
 */
export async function loadKev(deps: Deps, actor: Actor | null, fileName: string, data: Buffer): Promise<{ entries: number; findingsUpdated: number; version: string | null }> {
  requireTriage(actor);
  let doc: { catalogVersion?: string; vulnerabilities?: Record<string, unknown>[] };
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new UnprocessableError('vuln.kev_invalid', `Tệp ${fileName} không phải JSON hợp lệ: ${(err as Error).message}`, { file: fileName });
  }
  const list = Array.isArray(doc.vulnerabilities) ? doc.vulnerabilities : null;
  if (!list) throw new UnprocessableError('vuln.kev_invalid', `Tệp ${fileName} không có mảng "vulnerabilities" của danh mục KEV.`, { file: fileName });
  const version = typeof doc.catalogVersion === 'string' ? doc.catalogVersion : 'unknown';
  const problems: { row: number; field: string; message: string }[] = [];
  const rows = list.map((v, i) => {
    const cve = String(v.cveID ?? '');
    if (!CVE.test(cve)) problems.push({ row: i + 1, field: 'cveID', message: `"${cve}" không phải mã CVE` });
    if (!DATE.test(String(v.dueDate ?? ''))) problems.push({ row: i + 1, field: 'dueDate', message: 'thiếu hoặc sai định dạng YYYY-MM-DD' });
    return {
      cve_id: cve, vendor_project: String(v.vendorProject ?? ''), product: String(v.product ?? ''), name: String(v.vulnerabilityName ?? ''), date_added: String(v.dateAdded ?? ''),
      due_date: String(v.dueDate ?? ''), ransomware: v.knownRansomwareCampaignUse === 'Known' ? 1 : 0, catalog_version: version,
    };
  });
  if (problems.length) throw new UnprocessableError('vuln.kev_invalid', `Danh mục KEV có ${problems.length} mục không hợp lệ; không nhập gì.`, { file: fileName, problems: problems.slice(0, 50) });
  const now = nowIso(deps.clock);
  const updated = await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('vuln_kev').execute();
    const unique = [...new Map(rows.map((r) => [r.cve_id, r])).values()];
    for (let i = 0; i < unique.length; i += 500) await trx.insertInto('vuln_kev').values(unique.slice(i, i + 500)).execute();
    const n = await refreshPriorities(trx);
    await recordAudit(trx, actor, { action: 'vuln.kev_load', targetType: 'vuln_kev', targetId: version, details: { file: fileName, entries: unique.length, findingsUpdated: n } }, now);
    return n;
  });
  return { entries: rows.length, findingsUpdated: updated, version };
}

/**
 * Load FIRST EPSS scores (`epss_scores-current.csv[.gz]`: a `#model_version…,score_date:…` comment line, then
 * `cve,epss,percentile`; research §6.2), streamed, replacing the stored scores; open findings re-prioritised.
 */
export async function loadEpss(deps: Deps, actor: Actor | null, fileName: string, source: ReportSource): Promise<{ entries: number; findingsUpdated: number; version: string | null }> {
  requireTriage(actor);
  const rows: { cve_id: string; epss: number; percentile: number; score_date: string | null }[] = [];
  let scoreDate: string | null = null;
  let version: string | null = null;
  let carry = '';
  let line = 0;
  const take = (l: string) => {
    line++;
    const t = l.trim();
    if (!t) return;
    if (t.startsWith('#')) {
      version = /model_version:([^,]+)/.exec(t)?.[1] ?? version;
      scoreDate = /score_date:(\d{4}-\d{2}-\d{2})/.exec(t)?.[1] ?? scoreDate;
      return;
    }
    if (/^cve,/i.test(t)) return;
    const [cve, e, p] = t.split(',');
    const epss = Number(e);
    const pct = Number(p);
    if (!cve || !CVE.test(cve) || !(epss >= 0 && epss <= 1) || !(pct >= 0 && pct <= 1)) {
      throw new UnprocessableError('vuln.epss_invalid', `Tệp ${fileName} dòng ${line} không hợp lệ (cần cve,epss,percentile).`, { file: fileName, line });
    }
    rows.push({ cve_id: cve, epss, percentile: pct, score_date: scoreDate });
  };
  for await (const chunk of reportText(source)) {
    const parts = (carry + chunk).split('\n');
    carry = parts.pop()!;
    parts.forEach(take);
    if (rows.length > 2_000_000) throw new UnprocessableError('vuln.epss_invalid', 'Tệp EPSS quá lớn (> 2 triệu dòng).');
  }
  if (carry) take(carry);
  const now = nowIso(deps.clock);
  const updated = await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('vuln_epss').execute();
    for (let i = 0; i < rows.length; i += 1000) await trx.insertInto('vuln_epss').values(rows.slice(i, i + 1000)).execute();
    const n = await refreshPriorities(trx);
    await recordAudit(trx, actor, { action: 'vuln.epss_load', targetType: 'vuln_epss', targetId: version, details: { file: fileName, entries: rows.length, findingsUpdated: n } }, now);
    return n;
  });
  return { entries: rows.length, findingsUpdated: updated, version };
}

/** Recompute KEV, EPSS, SLA and priority of every finding that is not closed; returns how many changed. */
export async function refreshPriorities(trx: Tx | Db): Promise<number> {
  const kev = new Map((await trx.selectFrom('vuln_kev').select(['cve_id', 'due_date', 'ransomware']).execute()).map((k) => [k.cve_id, k]));
  const index = await AssetIndex.load(trx);
  const rows = await trx.selectFrom('vuln_findings').select(['id', 'severity', 'cves_json', 'asset_id', 'first_seen_at', 'kev', 'kev_due', 'kev_ransomware', 'epss', 'priority', 'sla_due', 'sla_days'])
    .where('status', 'in', ['open', 'risk_accepted']).where('cves_json', '<>', '[]').execute();
  const allCves = [...new Set(rows.flatMap((r) => fromJson<string[]>(r.cves_json) ?? []))];
  const epss = new Map<string, number>();
  for (let i = 0; i < allCves.length; i += 500) {
    for (const e of await trx.selectFrom('vuln_epss').select(['cve_id', 'epss']).where('cve_id', 'in', allCves.slice(i, i + 500)).execute()) epss.set(e.cve_id, e.epss);
  }
  let n = 0;
  for (const r of rows) {
    const cves = fromJson<string[]>(r.cves_json) ?? [];
    const k = cves.map((c) => kev.get(c)).filter((x): x is NonNullable<typeof x> => !!x);
    const isKev = k.length > 0;
    const ransomware = k.some((x) => x.ransomware === 1);
    const ep = cves.map((c) => epss.get(c)).filter((x): x is number => x !== undefined);
    const e = ep.length ? Math.max(...ep) : r.epss;
    const asset = r.asset_id ? index.byId.get(r.asset_id) : undefined;
    const days = slaDays(r.severity as Severity, asset?.level ?? null, isKev);
    const slaDue = days === null ? null : addDays(r.first_seen_at, days);
    const priority = priorityOf({ severity: r.severity as Severity, kev: isKev, ransomware, epss: e, level: asset?.level ?? null, internetExposed: asset?.internetExposed ?? false });
    const kevDue = isKev ? k.map((x) => x.due_date).sort()[0]! : null;
    if (r.kev !== (isKev ? 1 : 0) || r.kev_due !== kevDue || r.kev_ransomware !== (ransomware ? 1 : 0) || r.epss !== e || r.priority !== priority || r.sla_due !== slaDue) {
      await trx.updateTable('vuln_findings').set({ kev: isKev ? 1 : 0, kev_due: kevDue, kev_ransomware: ransomware ? 1 : 0, epss: e, priority, sla_days: days, sla_due: slaDue }).where('id', '=', r.id).execute();
      n++;
    }
  }
  return n;
}
