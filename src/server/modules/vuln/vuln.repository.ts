import { type SqlBool, sql } from 'kysely';
import type { Finding, FindingQuery, FindingStatus, VulnSeverity } from '../../../contracts/vuln.js';
import { escapeLike, foldText } from '../../core/text.js';
import { fromJson } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import { pathInScope } from '../org/scope.js';
import type { VulnFindingRow } from './vuln.table.js';

export type FindingRowFull = VulnFindingRow & { unit_code: string; unit_name: string; unit_path: string; asset_code: string | null; asset_name: string | null };

function base(db: Db | Tx) {
  return db
    .selectFrom('vuln_findings as f')
    .innerJoin('org_units as u', 'u.id', 'f.unit_id')
    .leftJoin('assets as a', 'a.id', 'f.asset_id');
}

export interface FindingFilter {
  prefixes: string[];
  unitPath?: string;
  systemId?: string;
  assetId?: string;
  severity?: VulnSeverity;
  status?: FindingStatus;
  kev?: boolean;
  overdueOn?: string;
  notOverdueOn?: string;
  text?: string;
}

export function filtered(db: Db | Tx, f: FindingFilter) {
  let q = base(db).where(pathInScope('u.path', f.prefixes));
  if (f.unitPath) q = q.where('u.path', 'like', `${f.unitPath}%`);
  if (f.systemId) q = q.where('f.asset_id', 'in', db.selectFrom('system_assets').select('asset_id').where('system_id', '=', f.systemId));
  if (f.assetId) q = q.where('f.asset_id', '=', f.assetId);
  if (f.severity) q = q.where('f.severity', '=', f.severity);
  if (f.status) q = q.where('f.status', '=', f.status);
  if (f.kev !== undefined) q = q.where('f.kev', '=', f.kev ? 1 : 0);
  if (f.overdueOn) q = q.where('f.status', '=', 'open').where('f.sla_due', '<', f.overdueOn);
  if (f.notOverdueOn) q = q.where((eb) => eb.or([eb('f.sla_due', 'is', null), eb('f.sla_due', '>=', f.notOverdueOn!), eb('f.status', '<>', 'open')]));
  if (f.text) {
    const like = `%${escapeLike(f.text)}%`;
    const raw = `%${escapeLike(f.text.toUpperCase())}%`;
    q = q.where(sql<SqlBool>`(lower(f.title) like ${like} escape '\\' or f.cves_json like ${raw} escape '\\' or lower(f.host_label) like ${like} escape '\\' or f.plugin_id like ${`%${escapeLike(f.text)}%`} escape '\\')`);
  }
  return q;
}

const SEV_ORDER = sql<number>`case f.severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end`;

export async function listFindings(db: Db, filter: FindingFilter, sort: FindingQuery['sort'], page: number, pageSize: number): Promise<{ rows: FindingRowFull[]; total: number }> {
  const totalRow = await filtered(db, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  let q = filtered(db, filter).selectAll('f').select(['u.code as unit_code', 'u.name as unit_name', 'u.path as unit_path', 'a.code as asset_code', 'a.name as asset_name']);
  if (sort === 'due') q = q.orderBy(sql`case when f.sla_due is null then 1 else 0 end`).orderBy('f.sla_due');
  else if (sort === 'severity') q = q.orderBy(SEV_ORDER).orderBy('f.priority', 'desc');
  else if (sort === 'last_seen') q = q.orderBy('f.last_seen_at', 'desc');
  else q = q.orderBy('f.priority', 'desc').orderBy(SEV_ORDER);
  const rows = await q.orderBy('f.id').limit(pageSize).offset((page - 1) * pageSize).execute();
  return { rows: rows as FindingRowFull[], total: Number(totalRow?.n ?? 0) };
}

export async function findFinding(db: Db | Tx, id: string): Promise<FindingRowFull | undefined> {
  return (await base(db).selectAll('f').select(['u.code as unit_code', 'u.name as unit_name', 'u.path as unit_path', 'a.code as asset_code', 'a.name as asset_name']).where('f.id', '=', id).executeTakeFirst()) as
    | FindingRowFull
    | undefined;
}

/** Systems each asset serves (for showing findings "on the right systems"). */
export async function systemsOfAssets(db: Db | Tx, assetIds: string[]): Promise<Map<string, { id: string; code: string; name: string }[]>> {
  const out = new Map<string, { id: string; code: string; name: string }[]>();
  for (let i = 0; i < assetIds.length; i += 500) {
    const chunk = assetIds.slice(i, i + 500);
    if (chunk.length === 0) continue;
    const rows = await db.selectFrom('system_assets as sa').innerJoin('information_systems as s', 's.id', 'sa.system_id').select(['sa.asset_id', 's.id', 's.code', 's.name']).where('sa.asset_id', 'in', chunk).orderBy('s.code').execute();
    for (const r of rows) out.set(r.asset_id, [...(out.get(r.asset_id) ?? []), { id: r.id, code: r.code, name: r.name }]);
  }
  return out;
}

export function toFinding(r: FindingRowFull, systems: Map<string, { id: string; code: string; name: string }[]>, today: string): Finding {
  return {
    id: r.id,
    scanner: r.scanner,
    pluginId: r.plugin_id,
    title: r.title,
    severity: r.severity as VulnSeverity,
    status: r.status as FindingStatus,
    asset: r.asset_id && r.asset_code && r.asset_name ? { id: r.asset_id, code: r.asset_code, name: r.asset_name } : null,
    systems: r.asset_id ? (systems.get(r.asset_id) ?? []) : [],
    hostLabel: r.host_label,
    unit: { id: r.unit_id, code: r.unit_code, name: r.unit_name },
    port: r.port,
    protocol: r.protocol,
    cves: fromJson<string[]>(r.cves_json) ?? [],
    cwes: fromJson<number[]>(r.cwes_json) ?? [],
    cvss3Vector: r.cvss3_vector,
    cvss3Score: r.cvss3_score === null ? null : Number(r.cvss3_score),
    cvss4Vector: r.cvss4_vector,
    cvss4Score: r.cvss4_score === null ? null : Number(r.cvss4_score),
    kev: r.kev === 1,
    kevDue: r.kev_due,
    kevRansomware: r.kev_ransomware === 1,
    epss: r.epss === null ? null : Math.round(Number(r.epss) * 100000) / 100000,
    priority: r.priority,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    slaDue: r.sla_due,
    overdue: r.status === 'open' && r.sla_due !== null && r.sla_due < today,
    mitigatedAt: r.mitigated_at,
  };
}

export { foldText };
