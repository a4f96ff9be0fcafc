import { createHash } from 'node:crypto';
import { type Actor, can } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import { ForbiddenError, NotFoundError, UnprocessableError } from '../../core/errors.js';
import { insertMany } from '../../db/bulk-insert.js';
import { newId, nowIso, toJson } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import {
  detectSourceFormat, type HostFacts, type MalwareScan, parseScan, type ReportSource, SCANNER_OF, type ScanFinding, type ScanFormat, ScanImportError,
} from '../../engines/scan-import/index.js';
import { findUnit } from '../org/org-unit.repository.js';
import { raiseAlert } from '../soc/index.js';
import { type AssetFacts, AssetIndex, hostKeyOf } from './asset-index.js';
import { addDays, priorityOf, slaDays } from './priority.js';
import type { NewVulnFindingRow } from './vuln.table.js';

export interface ImportInput {
  source: ReportSource;
  fileName: string;
  bytes: number;
  format?: ScanFormat | null;
  unitId: string;
  /** For reports that name no host (ClamAV, SARIF) or to pin every host of a report to one asset. */
  targetAssetId?: string | null;
  origin: 'upload' | 'cli' | 'demo';
}

export interface ImportResult {
  id: string;
  scanner: string;
  format: ScanFormat;
  findings: number;
  hosts: number;
  unmatchedHosts: number;
  created: number;
  kept: number;
  reopened: number;
  mitigated: number;
  duplicatesInFile: number;
  malwareScans: number;
  detections: number;
}

/** `batchSize`: findings per write batch (tests use small ones to cross batch boundaries). */
type Deps = { db: Db; clock: () => number; batchSize?: number };
const FINDING_COLUMNS = [
  'id', 'dedupe_key', 'scanner', 'plugin_id', 'title', 'severity', 'asset_id', 'host_key', 'host_label', 'unit_id', 'port', 'protocol', 'service', 'location',
  'cves_json', 'cwes_json', 'cvss3_vector', 'cvss3_score', 'cvss4_vector', 'cvss4_score', 'description_hash', 'solution_hash', 'evidence', 'status',
  'first_seen_at', 'last_seen_at', 'first_import_id', 'last_import_id', 'mitigated_at', 'sla_days', 'sla_due', 'kev', 'kev_due', 'kev_ransomware', 'epss',
  'priority', 'decision_reason', 'decision_approver', 'decision_by', 'decision_at', 'accept_expires', 'updated_at',
] as const satisfies readonly (keyof NewVulnFindingRow)[];
const EVENT_COLUMNS = ['id', 'finding_id', 'import_id', 'at', 'action', 'actor_user_id', 'note'] as const;
const BATCH = 200;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

interface Resolved {
  asset: AssetFacts | null;
  hostKey: string;
  hostLabel: string;
  unitId: string;
  ip: string | null;
  hostname: string | null;
  image: string | null;
}

/**
 * Import one scanner report in ONE transaction: stream it through the scan-import engine, match hosts to
 * assets, dedupe per asset by a per-scanner key, apply reimport semantics, record malware scans, and write an
 * audit entry. Any parse error or refusal rolls everything back (nothing from a rejected file is written).
 *
 * Reimport (research/vuln-grc.md §1.4, DefectDojo's reimport): new → created; present and open → kept;
 * present and mitigated → reopened; risk-accepted / false-positive stay as decided (only last-seen moves);
 * open findings of this scanner on a host this report covered but absent from it → mitigated. Hosts the
 * report did not cover are untouched (a partial rescan mitigates nothing elsewhere).
 */
export async function importScan(deps: Deps, actor: Actor | null, input: ImportInput): Promise<ImportResult> {
  const format = input.format ?? (await detectSourceFormat(input.source, input.fileName).catch((e: unknown) => {
    if (e instanceof ScanImportError) throw refusal(input.fileName, e);
    throw e;
  }));
  if (!format) throw new UnprocessableError('vuln.unknown_format', `Không nhận ra định dạng của tệp ${input.fileName}; hãy chọn định dạng.`, { file: input.fileName });
  const scanner = SCANNER_OF[format];
  const unit = await findUnit(deps.db, input.unitId);
  if (!unit) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
  if (actor && !can(actor, 'vuln.import', unit.path)) {
    throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền nhập kết quả quét cho đơn vị này.', { permission: 'vuln.import', target: { type: 'org_unit', id: unit.id } }, { unitId: unit.id });
  }
  const index = await AssetIndex.load(deps.db);
  let target: AssetFacts | null = null;
  if (input.targetAssetId) {
    target = index.byId.get(input.targetAssetId) ?? null;
    if (!target) throw new NotFoundError('asset.not_found', 'Không tìm thấy tài sản được quét.');
  }
  const kevRows = await deps.db.selectFrom('vuln_kev').select(['cve_id', 'due_date', 'ransomware']).execute();
  const kev = new Map(kevRows.map((k) => [k.cve_id, k]));
  const now = nowIso(deps.clock);
  const today = now.slice(0, 10);
  const importId = newId(deps.clock());

  try {
    return await deps.db.transaction().execute(async (trx) => {
      await trx.insertInto('vuln_imports').values({
        id: importId, scanner, format, file_name: input.fileName, unit_id: unit.id, target_asset_id: target?.id ?? null, origin: input.origin,
        imported_by: actor?.userId ?? null, imported_at: now, scanned_at: null, bytes: input.bytes, findings_total: 0, hosts_total: 0, unmatched_hosts: 0,
        created_count: 0, kept_count: 0, reopened_count: 0, mitigated_count: 0, duplicates_in_file: 0,
      }).execute();

      const scopeAssets = new Set<string>();
      const scopeHosts = new Set<string>();
      const unmatched = new Map<string, Resolved>();
      const deniedAssets = new Set<string>();
      const textsWritten = new Set<string>();
      const epssCache = new Map<string, number | null>();
      const c = { findings: 0, created: 0, kept: 0, reopened: 0, mitigated: 0, dup: 0, malware: 0, detections: 0 };
      let scannedAt: string | null = null;
      let pending: ScanFinding[] = [];

      const resolve = (h: Parameters<typeof hostKeyOf>[0]): Resolved => {
        const named = hostKeyOf(h);
        const asset = target ?? index.match(h);
        if (asset && actor && !can(actor, 'vuln.import', asset.ownerPath)) deniedAssets.add(asset.id);
        const hostKey = named?.key ?? (asset ? `asset:${asset.id}` : `unknown:${input.fileName}`);
        const r: Resolved = {
          asset, hostKey, hostLabel: named?.label ?? asset?.name ?? `(không rõ máy — ${input.fileName})`, unitId: asset?.ownerUnitId ?? unit.id,
          ip: h.ip ?? null, hostname: h.hostname ?? null, image: h.image ?? null,
        };
        if (asset) scopeAssets.add(asset.id);
        else {
          scopeHosts.add(hostKey);
          if (!unmatched.has(hostKey)) unmatched.set(hostKey, r);
        }
        return r;
      };

      const epssOf = async (cves: string[]): Promise<void> => {
        const missing = cves.filter((x) => !epssCache.has(x));
        for (let i = 0; i < missing.length; i += 500) {
          const chunk = missing.slice(i, i + 500);
          const rows = await trx.selectFrom('vuln_epss').select(['cve_id', 'epss']).where('cve_id', 'in', chunk).execute();
          for (const x of chunk) epssCache.set(x, null);
          for (const r of rows) epssCache.set(r.cve_id, r.epss);
        }
      };

      const flush = async () => {
        if (pending.length === 0) return;
        const batch = pending;
        pending = [];
        // In-file duplicates: within the batch by key; across batches, a stored finding this import already
        // created or touched (its last_import_id is this import). No set of every key is held in memory.
        const batchKeys = new Set<string>();
        let prepared: { f: ScanFinding; r: Resolved; key: string }[] = [];
        for (const f of batch) {
          const r = resolve(f.host);
          const key = sha([scanner, r.asset?.id ?? r.hostKey, f.pluginId, f.port ?? '', f.protocol ?? '', f.location ?? ''].join('\u0001'));
          if (batchKeys.has(key)) {
            c.dup++;
            continue;
          }
          batchKeys.add(key);
          prepared.push({ f, r, key });
        }
        const existing = new Map<string, { id: string; status: string; last_import_id: string }>();
        for (let i = 0; i < prepared.length; i += 500) {
          const rows = await trx.selectFrom('vuln_findings').select(['id', 'dedupe_key', 'status', 'last_import_id']).where('dedupe_key', 'in', prepared.slice(i, i + 500).map((p) => p.key)).execute();
          for (const row of rows) existing.set(row.dedupe_key, row);
        }
        prepared = prepared.filter((p) => {
          const dup = existing.get(p.key)?.last_import_id === importId;
          if (dup) c.dup++;
          return !dup;
        });
        if (prepared.length === 0) return;
        await epssOf([...new Set(prepared.flatMap((p) => p.f.cves))]);
        const inserts: NewVulnFindingRow[] = [];
        const texts: { hash: string; body: string }[] = [];
        const events: { id: string; finding_id: string; import_id: string; at: string; action: string; actor_user_id: string | null; note: string | null }[] = [];
        const touched: string[] = [];
        const reopened: string[] = [];
        const textHash = (t: string | null): string | null => {
          if (!t) return null;
          const body = t.length > 65536 ? `${t.slice(0, 65536)}…` : t;
          const h = sha(body);
          if (!textsWritten.has(h)) {
            textsWritten.add(h);
            texts.push({ hash: h, body });
          }
          return h;
        };
        for (const { f, r, key } of prepared) {
          const prev = existing.get(key);
          if (prev) {
            touched.push(prev.id);
            if (prev.status === 'mitigated') {
              reopened.push(prev.id);
              events.push({ id: newId(), finding_id: prev.id, import_id: importId, at: now, action: 'reopened', actor_user_id: null, note: null });
            } else if (prev.status === 'open') {
              // Still open, state unchanged: no history row (the finding's last_seen_at / last_import_id say when it
              // was last reported); writing one per kept finding doubled a rescan's writes.
              c.kept++;
            } else {
              // Risk-accepted / false positive: the scanner still reports it, the decision stands; worth a line.
              events.push({ id: newId(), finding_id: prev.id, import_id: importId, at: now, action: 'seen', actor_user_id: null, note: `giữ nguyên quyết định: ${prev.status}` });
            }
            continue;
          }
          const k = f.cves.map((x) => kev.get(x)).filter((x): x is NonNullable<typeof x> => !!x);
          const isKev = k.length > 0;
          const kevDue = isKev ? k.map((x) => x.due_date).sort()[0]! : null;
          const ransomware = k.some((x) => x.ransomware === 1);
          const epssVals = f.cves.map((x) => epssCache.get(x)).filter((x): x is number => typeof x === 'number');
          const epss = epssVals.length ? Math.max(...epssVals) : f.epss;
          const level = r.asset?.level ?? null;
          const days = slaDays(f.severity, level, isKev);
          const id = newId();
          inserts.push({
            id, dedupe_key: key, scanner, plugin_id: f.pluginId.slice(0, 500), title: f.title.slice(0, 1000), severity: f.severity, asset_id: r.asset?.id ?? null,
            host_key: r.hostKey, host_label: r.hostLabel.slice(0, 500), unit_id: r.unitId, port: f.port, protocol: f.protocol, service: f.service,
            location: f.location?.slice(0, 2000) ?? null, cves_json: JSON.stringify(f.cves), cwes_json: JSON.stringify(f.cwes), cvss3_vector: f.cvssV3Vector,
            cvss3_score: f.cvssV3Score, cvss4_vector: f.cvssV4Vector, cvss4_score: f.cvssV4Score, description_hash: textHash(f.description),
            solution_hash: textHash(f.solution), evidence: f.evidence ? f.evidence.slice(0, 8192) : null, status: 'open', first_seen_at: now, last_seen_at: now,
            first_import_id: importId, last_import_id: importId, mitigated_at: null, sla_days: days, sla_due: days === null ? null : addDays(today, days),
            kev: isKev ? 1 : 0, kev_due: kevDue, kev_ransomware: ransomware ? 1 : 0, epss,
            priority: priorityOf({ severity: f.severity, kev: isKev, ransomware, epss, level, internetExposed: r.asset?.internetExposed ?? false }),
            decision_reason: null, decision_approver: null, decision_by: null, decision_at: null, accept_expires: null, updated_at: now,
          });
          events.push({ id: newId(), finding_id: id, import_id: importId, at: now, action: 'created', actor_user_id: null, note: null });
        }
        c.created += inserts.length;
        c.reopened += reopened.length;
        await insertMany(trx, 'vuln_texts', ['hash', 'body'], texts, { ignoreConflictOn: 'hash' });
        await insertMany(trx, 'vuln_findings', FINDING_COLUMNS, inserts);
        for (let i = 0; i < touched.length; i += 500) {
          await trx.updateTable('vuln_findings').set({ last_seen_at: now, last_import_id: importId, updated_at: now }).where('id', 'in', touched.slice(i, i + 500)).execute();
        }
        for (let i = 0; i < reopened.length; i += 500) {
          await trx.updateTable('vuln_findings').set({ status: 'open', mitigated_at: null }).where('id', 'in', reopened.slice(i, i + 500)).execute();
        }
        await insertMany(trx, 'vuln_finding_events', EVENT_COLUMNS, events, { chunk: 1000 });
      };

      const recordMalware = async (scan: MalwareScan | null, lynis: HostFacts | null) => {
        const host = scan?.host ?? lynis!.host;
        const r = resolve(host);
        const id = newId();
        const at = scan?.scannedAt ?? lynis?.scannedAt ?? now;
        const scanAt = /Z$|[+-]\d\d:?\d\d$/.test(at) ? new Date(at).toISOString() : new Date(`${at}Z`).toISOString();
        await trx.insertInto('malware_scans').values({
          id, import_id: importId, asset_id: r.asset?.id ?? null, host_key: r.hostKey, host_label: r.hostLabel, unit_id: r.unitId,
          tool: scan ? scan.tool : (lynis!.malwareScanners ?? []).join(', ') || 'không có', source: scan ? scan.tool : 'lynis', scanned_at: scanAt,
          files_scanned: scan?.filesScanned ?? null, infected: scan?.infected ?? 0, scanner_installed: lynis ? (lynis.malwareScannerInstalled ? 1 : 0) : null,
          hardening_index: lynis && Number.isInteger(lynis.hardeningIndex) ? lynis.hardeningIndex! : null,
        }).execute();
        c.malware++;
        for (const d of scan?.detections ?? []) {
          // Each detection becomes a SOC alert in this same transaction (grouped per host and signature by the SOC
          // module); the detection keeps the alert id.
          const alert = await raiseAlert(trx, {
            source: 'malware', title: `Phát hiện mã độc ${d.signature.slice(0, 200)} trên ${r.hostLabel}`, severity: 'high', unitId: r.unitId, assetId: r.asset?.id ?? null,
            host: r.hostLabel, at: scanAt, tags: ['attack.t1204', 'attack.execution'], details: { tool: scan!.tool, path: d.path, signature: d.signature, importId, file: input.fileName },
          });
          await trx.insertInto('malware_detections').values({
            id: newId(), scan_id: id, asset_id: r.asset?.id ?? null, unit_id: r.unitId, host_label: r.hostLabel, path: d.path.slice(0, 2000),
            signature: d.signature.slice(0, 500), detected_at: scanAt, soc_alert_id: alert.id,
          }).execute();
          c.detections++;
        }
      };

      for await (const events of parseScan(input.source, format)) {
        for (const e of events) {
          if (e.kind === 'finding') {
            c.findings++;
            pending.push(e.finding);
            if (pending.length >= (deps.batchSize ?? BATCH)) await flush();
          } else if (e.kind === 'host') {
            resolve(e.host.host);
            if (e.host.scannedAt) scannedAt ??= e.host.scannedAt;
            if (format === 'lynis' && e.host.malwareScannerInstalled !== undefined && e.host.malwareScannerInstalled !== null) await recordMalware(null, e.host);
          } else if (e.kind === 'malware') {
            await recordMalware(e.scan, null);
          } else if (e.kind === 'meta' && e.startedAt) {
            scannedAt ??= e.startedAt;
          }
        }
      }
      await flush();
      if (deniedAssets.size > 0) {
        throw new ForbiddenError('auth.forbidden', `Báo cáo có ${deniedAssets.size} tài sản thuộc đơn vị bạn không được nhập kết quả quét; không nhập gì.`, { permission: 'vuln.import', assets: deniedAssets.size }, { unitId: unit.id });
      }

      // Mitigation: open findings of this scanner on hosts this report covered, not seen in it.
      const gone: string[] = [];
      const assetList = [...scopeAssets];
      const hostList = [...scopeHosts];
      for (let i = 0; i < assetList.length; i += 500) {
        const rows = await trx.selectFrom('vuln_findings').select('id').where('scanner', '=', scanner).where('status', '=', 'open').where('last_import_id', '<>', importId)
          .where('asset_id', 'in', assetList.slice(i, i + 500)).execute();
        gone.push(...rows.map((r) => r.id));
      }
      for (let i = 0; i < hostList.length; i += 500) {
        const rows = await trx.selectFrom('vuln_findings').select('id').where('scanner', '=', scanner).where('status', '=', 'open').where('last_import_id', '<>', importId)
          .where('asset_id', 'is', null).where('host_key', 'in', hostList.slice(i, i + 500)).execute();
        gone.push(...rows.map((r) => r.id));
      }
      for (let i = 0; i < gone.length; i += 500) {
        const ids = gone.slice(i, i + 500);
        await trx.updateTable('vuln_findings').set({ status: 'mitigated', mitigated_at: now, updated_at: now }).where('id', 'in', ids).execute();
        await trx.insertInto('vuln_finding_events').values(ids.map((id) => ({ id: newId(), finding_id: id, import_id: importId, at: now, action: 'mitigated', actor_user_id: null, note: 'không còn trong lần quét lại' }))).execute();
      }
      c.mitigated = gone.length;

      await refreshUnmatched(trx, [...unmatched.values()], importId, now);
      const hosts = scopeAssets.size + scopeHosts.size;
      await trx.updateTable('vuln_imports').set({
        scanned_at: scannedAt, findings_total: c.findings, hosts_total: hosts, unmatched_hosts: unmatched.size, created_count: c.created, kept_count: c.kept,
        reopened_count: c.reopened, mitigated_count: c.mitigated, duplicates_in_file: c.dup,
      }).where('id', '=', importId).execute();
      const result: ImportResult = {
        id: importId, scanner, format, findings: c.findings, hosts, unmatchedHosts: unmatched.size, created: c.created, kept: c.kept, reopened: c.reopened,
        mitigated: c.mitigated, duplicatesInFile: c.dup, malwareScans: c.malware, detections: c.detections,
      };
      await recordAudit(trx, actor, { action: 'vuln.import', targetType: 'vuln_import', targetId: importId, unitId: unit.id, actorLabel: actor ? null : `khien ${input.origin}`, details: { file: input.fileName, ...result } }, now);
      return result;
    });
  } catch (err) {
    if (err instanceof ScanImportError) throw refusal(input.fileName, err);
    throw err;
  }
}

function refusal(fileName: string, e: ScanImportError): UnprocessableError {
  return new UnprocessableError('vuln.report_invalid', `Tệp ${fileName} bị từ chối: ${e.message}`, { file: fileName, line: e.line, reason: e.reason });
}

/** Upsert the hosts no asset matched, with their open-finding counts (one grouped query per 500 hosts). */
async function refreshUnmatched(trx: Tx, hosts: Resolved[], importId: string, now: string): Promise<void> {
  for (let i = 0; i < hosts.length; i += 500) {
    const chunk = hosts.slice(i, i + 500);
    const counts = new Map(
      (await trx.selectFrom('vuln_findings').select(['host_key', (eb) => eb.fn.countAll<number>().as('n')]).where('host_key', 'in', chunk.map((h) => h.hostKey))
        .where('status', '=', 'open').where('asset_id', 'is', null).groupBy('host_key').execute()).map((r) => [r.host_key, Number(r.n)]),
    );
    for (const h of chunk) {
      const n = counts.get(h.hostKey) ?? 0;
      await trx.insertInto('vuln_unmatched_hosts').values({
        host_key: h.hostKey, host_label: h.hostLabel, ip: h.ip, hostname: h.hostname, image: h.image, unit_id: h.unitId, last_import_id: importId,
        first_seen_at: now, last_seen_at: now, findings_open: n,
      }).onConflict((oc) => oc.column('host_key').doUpdateSet({ last_seen_at: now, last_import_id: importId, findings_open: n, host_label: h.hostLabel })).execute();
    }
  }
}

export { toJson };
