import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import type { RuleBulkEnableSchema, RuleDetailSchema, RuleFilterInputSchema, RuleFilterView, RuleImportResult, RuleQuery, RuleView } from '../../../contracts/rules.js';
import type { Actor } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { newId, nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import {
  checkFilter,
  compileDetector,
  createCorrelator,
  parseRules,
  SigmaFeatureError,
  type Correlator,
  type Detector,
  type ParsedRules,
  type RuleFilter,
} from '../../engines/sigma/index.js';
import { requireRuleRead, requireRuleWrite } from './rules.policy.js';
import type { NewSigmaRuleRow, SigmaRuleRow } from './rules.table.js';

type Deps = Pick<AppDeps, 'db' | 'clock'>;
export type RuleSource = 'sigmahq' | 'khien' | 'custom';

/** Stored form of a false-positive filter (filters_json). */
interface StoredFilter {
  id: string;
  note: string | null;
  fields: Record<string, string | string[]> | null;
  detectionYaml: string | null;
  createdBy: string | null;
  createdAt: string;
}

/** Bounds on a rule checkout: SigmaHQ holds ~4,000 files, 25 MB. */
const MAX_RULE_FILES = 20_000;
const MAX_RULE_FILE_BYTES = 1_000_000;

// ---------------------------------------------------------------------------------------------- reading rules

/** Every `*.yml`/`*.yaml` under `dir` (depth-first, sorted), paths relative to `dir` with `/`. */
export function readRuleDir(dir: string, opts: { subdirs?: string[] } = {}): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const roots = opts.subdirs ? opts.subdirs.map((s) => join(dir, s)).filter((p) => statSync(p, { throwIfNoEntry: false })?.isDirectory()) : [dir];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(name)) {
        if (out.length >= MAX_RULE_FILES) throw new ValidationError('rules.too_many_files', `Quá ${MAX_RULE_FILES} tệp quy tắc trong ${dir}.`);
        if (st.size > MAX_RULE_FILE_BYTES) continue;
        out.push({ path: relative(dir, p).split(sep).join('/'), text: readFileSync(p, 'utf8') });
      }
    }
  };
  for (const r of roots) walk(r);
  return out;
}

/** The SigmaHQ rule folders a checkout is read from (research/soc.md §2.5); tests/ and deprecated/ are not rules. */
export const SIGMAHQ_RULE_DIRS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance', 'rules-dfir'];

/** Read a SigmaHQ checkout (its rule folders) or, when it has none of them, every YAML file under `dir`. */
export function readSigmaCheckout(dir: string): { path: string; text: string }[] {
  const has = SIGMAHQ_RULE_DIRS.some((s) => statSync(join(dir, s), { throwIfNoEntry: false })?.isDirectory());
  return has ? readRuleDir(dir, { subdirs: SIGMAHQ_RULE_DIRS }) : readRuleDir(dir);
}

/** Split a multi-document YAML file into its documents' texts (documents with only comments are dropped). */
function splitDocuments(text: string): string[] {
  return text.split(/^---[ \t]*$/m).filter((p) => p.split('\n').some((l) => l.trim() !== '' && !l.trim().startsWith('#')));
}

// ---------------------------------------------------------------------------------------------- import

function defaultEnabled(source: RuleSource, supported: boolean, status: string, level: string): boolean {
  if (!supported) return false;
  if (source !== 'sigmahq') return true;
  // SigmaHQ: rules the project itself considers mature enough (stable/test) and worth an alert (≥ medium)
  return (status === 'stable' || status === 'test') && ['medium', 'high', 'critical'].includes(level);
}

/**
 * Import Sigma files into the rule table, idempotently: a rule is keyed by its Sigma id; an unchanged rule is
 * left alone, a changed one has its text and metadata replaced while its enabled flag, FP filters and hit
 * counts are kept. Rules the engine cannot compile are stored (disabled) with the unsupported feature.
 * One transaction, one audit entry.
 */
export async function importRuleFiles(
  deps: Deps,
  actor: Actor | null,
  files: { path: string; text: string }[],
  source: RuleSource,
): Promise<RuleImportResult> {
  const now = nowIso(deps.clock);
  return deps.db.transaction().execute((tx) => importRulesInto(tx, actor, files, source, now, deps.clock));
}

/** The import inside the caller's transaction (the demo loader uses it). */
export async function importRulesInto(
  tx: Tx,
  actor: Actor | null,
  files: { path: string; text: string }[],
  source: RuleSource,
  now: string,
  clock: () => number = Date.now,
): Promise<RuleImportResult> {
  const docs: { path: string; text: string }[] = [];
  for (const f of files) {
    const texts = f.text.includes('\n---') || f.text.startsWith('---') ? splitDocuments(f.text) : [f.text];
    for (const t of texts) docs.push({ path: f.path, text: t });
  }
  // one parse per document, so each rule keeps its own YAML text
  const parsed: ParsedRules = { detections: [], correlations: [], issues: [], rules: [] };
  const textOf = new Map<string, { path: string; text: string }>();
  for (const d of docs) {
    const one = parseRules([d]);
    parsed.detections.push(...one.detections);
    parsed.correlations.push(...one.correlations);
    parsed.issues.push(...one.issues);
    parsed.rules.push(...one.rules);
    for (const r of one.rules) if (!textOf.has(r.id)) textOf.set(r.id, d);
  }
  const detector = compileDetector(parsed);
  const compileIssues = new Map<string, string>();
  for (const i of detector.issues) if (i.ruleId && !parsed.issues.includes(i)) compileIssues.set(i.ruleId, `${i.feature}: ${i.message}`);
  const all = parsed.rules;
  const result: RuleImportResult = { files: files.length, compiled: 0, unsupported: 0, created: 0, updated: 0, unchanged: 0, issues: [] };
  for (const i of parsed.issues) result.issues.push({ path: i.path, ruleId: i.ruleId ?? null, feature: i.feature, message: i.message });
  for (const [ruleId, msg] of compileIssues) {
    const info = all.find((r) => r.id === ruleId);
    result.issues.push({ path: info?.path ?? '', ruleId, feature: msg.split(':')[0]!, message: msg });
  }
  result.unsupported = result.issues.length;
  result.compiled = all.length - compileIssues.size;

  {
    const existing = new Map((await tx.selectFrom('sigma_rules').select(['id', 'rule_id', 'yaml', 'path', 'source', 'unsupported']).execute()).map((r) => [r.rule_id, r]));
    const inserts: NewSigmaRuleRow[] = [];
    const seen = new Set<string>();
    for (const info of all) {
      if (seen.has(info.id)) {
        result.issues.push({ path: info.path ?? '', ruleId: info.id, feature: 'duplicate-id', message: `rule id ${info.id} appears more than once; the first is kept` });
        continue;
      }
      seen.add(info.id);
      const doc = textOf.get(info.id);
      if (!doc) continue;
      const unsupported = compileIssues.get(info.id) ?? null;
      const row = {
        source,
        path: doc.path,
        yaml: doc.text,
        kind: info.kind,
        title: info.title.slice(0, 500),
        description: info.description ?? null,
        level: info.level,
        status: info.status,
        author: info.author,
        tags_json: JSON.stringify(info.tags),
        falsepositives_json: JSON.stringify(info.falsepositives ?? []),
        logsource_product: info.logsource.product ?? null,
        logsource_category: info.logsource.category ?? null,
        logsource_service: info.logsource.service ?? null,
        supported: unsupported ? 0 : 1,
        unsupported,
      };
      const old = existing.get(info.id);
      if (!old) {
        inserts.push({
          id: newId(clock()),
          rule_id: info.id,
          ...row,
          enabled: defaultEnabled(source, !unsupported, info.status, info.level) ? 1 : 0,
          filters_json: '[]',
          hit_count: 0,
          last_hit_at: null,
          imported_at: now,
          updated_at: now,
        });
        result.created++;
      } else if (old.yaml === doc.text && old.path === doc.path && old.source === source && old.unsupported === unsupported) {
        result.unchanged++;
      } else {
        await tx.updateTable('sigma_rules').set({ ...row, updated_at: now }).where('id', '=', old.id).execute();
        result.updated++;
      }
    }
    for (let i = 0; i < inserts.length; i += 100) await tx.insertInto('sigma_rules').values(inserts.slice(i, i + 100)).execute();
    await recordAudit(tx, actor, {
      action: 'rule.import',
      targetType: 'sigma_rules',
      details: { source, files: result.files, compiled: result.compiled, unsupported: result.unsupported, created: result.created, updated: result.updated, unchanged: result.unchanged },
      ...(actor ? {} : { actorLabel: 'khien rules import' }),
    }, now);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------- views

function parseJson<T>(s: string | null, fallback: T): T {
  if (!s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

export function toRule(r: SigmaRuleRow): RuleView {
  return {
    id: r.id,
    ruleId: r.rule_id,
    source: r.source as RuleSource,
    path: r.path,
    kind: r.kind as 'detection' | 'correlation',
    title: r.title,
    description: r.description,
    level: r.level,
    status: r.status,
    author: r.author,
    tags: parseJson<string[]>(r.tags_json, []),
    product: r.logsource_product,
    category: r.logsource_category,
    service: r.logsource_service,
    supported: r.supported === 1,
    unsupported: r.unsupported,
    enabled: r.enabled === 1,
    filterCount: parseJson<StoredFilter[]>(r.filters_json, []).length,
    hitCount: r.hit_count,
    lastHitAt: r.last_hit_at,
    updatedAt: r.updated_at,
  };
}

type Filter = Omit<RuleQuery, 'page' | 'pageSize'>;

function applyFilter<Q extends { where: (...a: never[]) => unknown }>(qb: Q, f: Partial<Filter>): Q {
  let q = qb as unknown as import('kysely').SelectQueryBuilder<import('../../db/database.js').Database, 'sigma_rules', object>;
  if (f.product) q = f.product === '-' ? q.where('logsource_product', 'is', null) : q.where('logsource_product', '=', f.product);
  if (f.category) q = f.category === '-' ? q.where('logsource_category', 'is', null) : q.where('logsource_category', '=', f.category);
  if (f.service) q = f.service === '-' ? q.where('logsource_service', 'is', null) : q.where('logsource_service', '=', f.service);
  if (f.level) q = q.where('level', '=', f.level);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.source) q = q.where('source', '=', f.source);
  if (f.enabled !== undefined) q = q.where('enabled', '=', f.enabled ? 1 : 0);
  if (f.supported !== undefined) q = q.where('supported', '=', f.supported ? 1 : 0);
  if (f.hit !== undefined) q = f.hit ? q.where('hit_count', '>', 0) : q.where('hit_count', '=', 0);
  if (f.q) {
    const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['title']), 'like', like), eb('rule_id', '=', f.q!), eb(eb.fn('lower', ['author']), 'like', like)]));
  }
  return q as unknown as Q;
}

export async function listRules(deps: Deps, actor: Actor, query: RuleQuery) {
  requireRuleRead(actor);
  const base = applyFilter(deps.db.selectFrom('sigma_rules'), query);
  const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
  const rows = await base
    .selectAll()
    .orderBy('hit_count', 'desc')
    .orderBy('title')
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize)
    .execute();
  return { items: rows.map(toRule), total, page: query.page, pageSize: query.pageSize };
}

export async function ruleFacets(deps: Deps, actor: Actor) {
  requireRuleRead(actor);
  const count = async (col: 'logsource_product' | 'logsource_category' | 'logsource_service' | 'level' | 'status') => {
    const rows = await deps.db.selectFrom('sigma_rules').select([col, (eb) => eb.fn.countAll<number>().as('n')]).groupBy(col).execute();
    return rows
      .filter((r) => r[col] !== null)
      .map((r) => ({ value: String(r[col]), count: Number(r.n) }))
      .sort((a, b) => b.count - a.count);
  };
  const totals = await deps.db
    .selectFrom('sigma_rules')
    .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.sum<number>('enabled').as('enabled')])
    .executeTakeFirst();
  const unsupported = await deps.db.selectFrom('sigma_rules').select((eb) => eb.fn.countAll<number>().as('n')).where('supported', '=', 0).executeTakeFirst();
  return {
    total: Number(totals?.total ?? 0),
    enabled: Number(totals?.enabled ?? 0),
    unsupported: Number(unsupported?.n ?? 0),
    products: await count('logsource_product'),
    categories: await count('logsource_category'),
    services: await count('logsource_service'),
    levels: await count('level'),
    statuses: await count('status'),
  };
}

async function ruleRow(db: Db | Tx, id: string): Promise<SigmaRuleRow> {
  const row = await db.selectFrom('sigma_rules').selectAll().where((eb) => eb.or([eb('id', '=', id), eb('rule_id', '=', id)])).executeTakeFirst();
  if (!row) throw new NotFoundError('rule.not_found', 'Không tìm thấy quy tắc.');
  return row;
}

export async function getRule(deps: Deps, actor: Actor, id: string): Promise<z.infer<typeof RuleDetailSchema>> {
  requireRuleRead(actor);
  const row = await ruleRow(deps.db, id);
  return { ...toRule(row), yaml: row.yaml, falsepositives: parseJson<string[]>(row.falsepositives_json, []), filters: parseJson<StoredFilter[]>(row.filters_json, []) as RuleFilterView[] };
}

export async function setRuleEnabled(deps: Deps, actor: Actor, id: string, enabled: boolean) {
  requireRuleWrite(actor, { type: 'sigma_rule', id });
  const now = nowIso(deps.clock);
  return deps.db.transaction().execute(async (tx) => {
    const row = await ruleRow(tx, id);
    if (enabled && row.supported !== 1) throw new ValidationError('rule.unsupported', `Quy tắc dùng tính năng chưa hỗ trợ (${row.unsupported ?? ''}), không bật được.`, { field: 'enabled' });
    if ((row.enabled === 1) !== enabled) {
      await tx.updateTable('sigma_rules').set({ enabled: enabled ? 1 : 0, updated_at: now }).where('id', '=', row.id).execute();
      await recordAudit(tx, actor, { action: enabled ? 'rule.enable' : 'rule.disable', targetType: 'sigma_rule', targetId: row.rule_id, before: { enabled: row.enabled === 1 }, after: { enabled } }, now);
    }
    return toRule({ ...row, enabled: enabled ? 1 : 0, updated_at: now });
  });
}

/** Enable or disable every listed rule, or every rule matching the filter; unsupported rules are never enabled. */
export async function bulkEnable(deps: Deps, actor: Actor, input: z.infer<typeof RuleBulkEnableSchema>) {
  requireRuleWrite(actor, { type: 'sigma_rules', id: 'bulk' });
  const now = nowIso(deps.clock);
  return deps.db.transaction().execute(async (tx) => {
    let q = tx.selectFrom('sigma_rules').select(['id', 'rule_id']).where('enabled', '=', input.enabled ? 0 : 1);
    if (input.enabled) q = q.where('supported', '=', 1);
    if (input.ids?.length) q = q.where((eb) => eb.or([eb('id', 'in', input.ids!), eb('rule_id', 'in', input.ids!)]));
    if (input.filter) q = applyFilter(q, input.filter);
    const rows = await q.execute();
    for (let i = 0; i < rows.length; i += 500) {
      await tx.updateTable('sigma_rules').set({ enabled: input.enabled ? 1 : 0, updated_at: now }).where('id', 'in', rows.slice(i, i + 500).map((r) => r.id)).execute();
    }
    if (rows.length) {
      await recordAudit(tx, actor, {
        action: input.enabled ? 'rule.bulk_enable' : 'rule.bulk_disable',
        targetType: 'sigma_rules',
        details: { count: rows.length, filter: input.filter ?? null, ruleIds: rows.slice(0, 200).map((r) => r.rule_id) },
      }, now);
    }
    return { changed: rows.length };
  });
}

/** Parse and check a filter as the detector will compile it; a bad one is a 422 naming the field. */
function toEngineFilter(f: StoredFilter): RuleFilter {
  if (f.detectionYaml) {
    const detection = parseYaml(f.detectionYaml, { maxAliasCount: 10 }) as unknown;
    const d = (detection && typeof detection === 'object' && 'detection' in detection ? (detection as { detection: unknown }).detection : detection) as Record<string, unknown>;
    return { id: f.id, detection: d };
  }
  return { id: f.id, fields: f.fields ?? {} };
}

export async function addRuleFilter(deps: Deps, actor: Actor, id: string, input: z.infer<typeof RuleFilterInputSchema>) {
  requireRuleWrite(actor, { type: 'sigma_rule', id });
  const now = nowIso(deps.clock);
  const filter: StoredFilter = {
    id: newId(deps.clock()),
    note: input.note?.trim() || null,
    fields: input.fields && Object.keys(input.fields).length ? input.fields : null,
    detectionYaml: input.detectionYaml?.trim() ? input.detectionYaml : null,
    createdBy: actor.username,
    createdAt: now,
  };
  if (filter.fields && filter.detectionYaml) filter.detectionYaml = null;
  try {
    const ef = toEngineFilter(filter);
    if (ef.detection && (typeof ef.detection !== 'object' || Array.isArray(ef.detection) || ef.detection === null)) throw new SigmaFeatureError('filter', 'detection must be a map');
    checkFilter(ef);
  } catch (e) {
    const field = filter.detectionYaml ? 'detectionYaml' : 'fields';
    throw new ValidationError('rule.filter_invalid', `Bộ lọc không hợp lệ: ${(e as Error).message}`, { field });
  }
  return deps.db.transaction().execute(async (tx) => {
    const row = await ruleRow(tx, id);
    const filters = [...parseJson<StoredFilter[]>(row.filters_json, []), filter];
    await tx.updateTable('sigma_rules').set({ filters_json: JSON.stringify(filters), updated_at: now }).where('id', '=', row.id).execute();
    await recordAudit(tx, actor, { action: 'rule.filter_add', targetType: 'sigma_rule', targetId: row.rule_id, after: filter }, now);
    return filter as RuleFilterView;
  });
}

export async function removeRuleFilter(deps: Deps, actor: Actor, id: string, filterId: string) {
  requireRuleWrite(actor, { type: 'sigma_rule', id });
  const now = nowIso(deps.clock);
  return deps.db.transaction().execute(async (tx) => {
    const row = await ruleRow(tx, id);
    const filters = parseJson<StoredFilter[]>(row.filters_json, []);
    const gone = filters.find((f) => f.id === filterId);
    if (!gone) throw new NotFoundError('rule.filter_not_found', 'Không tìm thấy bộ lọc.');
    await tx.updateTable('sigma_rules').set({ filters_json: JSON.stringify(filters.filter((f) => f.id !== filterId)), updated_at: now }).where('id', '=', row.id).execute();
    await recordAudit(tx, actor, { action: 'rule.filter_remove', targetType: 'sigma_rule', targetId: row.rule_id, before: gone }, now);
    return { ok: true as const };
  });
}

// ---------------------------------------------------------------------------------------------- pipeline side

/**
 * Add hit counts (the SOC pipeline calls this with the matches it stored): `counts` maps a Sigma rule id to a
 * number of hits, or to `{ count, lastHitAt }` (the latest matching event's time). Unknown ids are ignored.
 * Use the pipeline's transaction so hits and alerts commit together.
 */
export async function recordRuleHits(db: Db | Tx, counts: Record<string, number | { count: number; lastHitAt?: string }> | Map<string, number | { count: number; lastHitAt?: string }>, at?: string): Promise<void> {
  const entries = counts instanceof Map ? [...counts] : Object.entries(counts);
  const fallback = at ?? new Date().toISOString();
  for (const [ruleId, v] of entries) {
    const count = typeof v === 'number' ? v : v.count;
    if (!Number.isFinite(count) || count <= 0) continue;
    const last = typeof v === 'number' ? fallback : (v.lastHitAt ?? fallback);
    await db
      .updateTable('sigma_rules')
      .set((eb) => ({
        hit_count: eb('hit_count', '+', Math.floor(count)),
        last_hit_at: eb.case().when('last_hit_at', 'is', null).then(last).when('last_hit_at', '<', last).then(last).else(eb.ref('last_hit_at')).end(),
      }))
      .where('rule_id', '=', ruleId)
      .execute();
  }
}

export interface RuleEngine {
  parsed: ParsedRules;
  detector: Detector;
  /** A new correlator over the same rules (one per detect worker / partition owner). */
  createCorrelator(): Correlator;
  /** Changes when rules, enabled flags or filters change (rebuild when it differs). */
  fingerprint: string;
}

/** Cheap fingerprint of the rule configuration: poll it and rebuild the engine when it changes. */
export async function rulesFingerprint(db: Db | Tx): Promise<string> {
  const r = await db
    .selectFrom('sigma_rules')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('u'), eb.fn.sum<number>('enabled').as('e')])
    .executeTakeFirst();
  return `${Number(r?.n ?? 0)}:${String(r?.u ?? '')}:${Number(r?.e ?? 0)}`;
}

/**
 * Build the detector (and correlator factory) from the enabled, supported rules and their FP filters. Base
 * rules that an enabled correlation references take part even when disabled themselves (their matches feed
 * the correlation); RuleInfo.correlationOnly tells the pipeline not to alert on them alone.
 */
export async function buildRuleEngine(db: Db | Tx, opts: { placeholders?: Record<string, string[]> } = {}): Promise<RuleEngine> {
  const fingerprint = await rulesFingerprint(db);
  const rows = await db.selectFrom('sigma_rules').select(['rule_id', 'path', 'yaml', 'enabled', 'kind', 'filters_json']).where('supported', '=', 1).execute();
  const parsed = parseRules(rows.map((r) => ({ path: r.path, text: r.yaml })));
  const enabled = new Set(rows.filter((r) => r.enabled === 1).map((r) => r.rule_id));
  const needed = new Set(enabled);
  for (const c of parsed.correlations) {
    if (!enabled.has(c.info.id)) continue;
    for (const ref of c.correlation.rules) {
      const base = parsed.rules.find((r) => r.id === ref || r.name === ref);
      if (base) needed.add(base.id);
    }
  }
  parsed.correlations = parsed.correlations.filter((c) => enabled.has(c.info.id));
  const filters: Record<string, RuleFilter[]> = {};
  for (const r of rows) {
    const fs = parseJson<StoredFilter[]>(r.filters_json, []);
    if (fs.length) filters[r.rule_id] = fs.map(toEngineFilter);
  }
  const detector = compileDetector(parsed, { enabled: (info) => needed.has(info.id), filters, placeholders: opts.placeholders });
  return { parsed, detector, createCorrelator: () => createCorrelator(parsed, detector), fingerprint };
}

/** Khiên's own rules, shipped in data/sigma/khien/ (always loaded by the demo). */
export function readKhienRules(): { path: string; text: string }[] {
  const dir = fileURLToPath(new URL('../../../../data/sigma/khien/', import.meta.url));
  return readRuleDir(dir).map((f) => ({ path: `khien/${f.path}`, text: f.text }));
}

/** Hash of a rule text, for reports. */
export function ruleTextHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
