import type { z } from 'zod';
import type { ImportProblem } from '../../../contracts/common.js';
import {
  AssetCreateSchema, AssetUpdateSchema, INVENTORY_SHEETS, type InventoryImportResult, SystemCreateSchema, SystemUpdateSchema,
} from '../../../contracts/inventory.js';
import type { Actor } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import { foldText } from '../../core/text.js';
import { newId, nowIso } from '../../db/columns.js';
import { TabularError } from '../../engines/tabular/tabular.js';
import { importInvalid } from '../org/import-common.js';
import { findUnitsByCodes } from '../org/org-unit.repository.js';
import { todayVn } from '../org/scope.js';
import type { Upload } from '../org/upload.js';
import { assetFields, authoriseAssetWrite, presentAssets } from './asset.service.js';
import { ASSET_COLUMNS, type Column, columnIndex, SYSTEM_COLUMNS } from './inventory-columns.js';
import {
  type AssetWithUnits, findAssetsByIds, findAssetsByCodes, findSystemsByCodes, findSystemsByIds, insertAssetRow, insertSystemRow,
  linksOfAssets, listAllAssets, listAllSystems, setAssetLinks, type SystemWithUnits, toSystem, updateAssetRow, updateSystemRow,
} from './inventory.repository.js';
import { requireOnSystem, scopeOf } from './inventory.policy.js';
import type { NewSystemRow, SystemRow } from './inventory.table.js';
import { readWorkbook, writeWorkbook } from './inventory-workbook.js';
import { authoriseWrite, changesLevels, type InventoryDeps, refreshProposal, rowFields } from './system.service.js';

/** Export the catalogue and the assets in the actor's scope as one XLSX, a sheet per entity. */
export async function exportInventory(deps: InventoryDeps, actor: Actor): Promise<{ body: Buffer; fileName: string }> {
  const today = todayVn(deps.clock);
  const systems = await listAllSystems(deps.db, scopeOf(actor, 'system.read'));
  const codeById = new Map(systems.map((s) => [s.id, s.code]));
  const missingParents = [...new Set(systems.map((s) => s.parent_system_id).filter((p): p is string => !!p && !codeById.has(p)))];
  for (const p of await findSystemsByIds(deps.db, missingParents)) codeById.set(p.id, p.code);
  const assetRows = await listAllAssets(deps.db, scopeOf(actor, 'asset.read'));
  const ids = assetRows.map((a) => a.id);
  const assets = await presentAssets(deps.db, actor, ids, await linksOfAssets(deps.db, ids));
  const body = await writeWorkbook([
    {
      name: INVENTORY_SHEETS.systems,
      header: SYSTEM_COLUMNS.map((c) => c.header),
      rows: systems.map((s) => {
        const view = { ...toSystem(s, today), parentCode: s.parent_system_id ? (codeById.get(s.parent_system_id) ?? null) : null };
        return SYSTEM_COLUMNS.map((c) => c.get(view));
      }),
    },
    { name: INVENTORY_SHEETS.assets, header: ASSET_COLUMNS.map((c) => c.header), rows: assets.map((a) => ASSET_COLUMNS.map((c) => c.get(a))) },
  ]);
  return { body, fileName: `danh-muc-he-thong-${today}.xlsx` };
}

type Problem = ImportProblem & { sheet: string | null };

class Problems {
  readonly items: Problem[] = [];
  /** Cells already reported: one message per bad cell, the first (most specific) one. */
  private readonly cells = new Set<string>();
  constructor(private readonly file: string) {}
  has(sheet: string | null, row: number, column: string | null): boolean {
    return this.cells.has(`${sheet}\u0000${row}\u0000${column}`);
  }
  add(sheet: string | null, row: number, column: string | null, message: string): void {
    if (column !== null && this.has(sheet, row, column)) return;
    this.cells.add(`${sheet}\u0000${row}\u0000${column}`);
    const where = [sheet ? `trang ${sheet}` : null, row ? `dòng ${row}` : null, column ? `cột ${column}` : null].filter(Boolean).join(', ');
    this.items.push({ file: this.file, sheet, row, column, message: `Tệp ${this.file}, ${where}: ${message}` });
  }
  throwIfAny(): void {
    if (this.items.length) throw importInvalid(this.file, this.items);
  }
}

interface Line {
  row: number;
  id: string | null;
  /** Parsed cells by dotted field. */
  values: Map<string, unknown>;
  headers: Map<string, string>;
}

function readSheet<T>(rows: string[][] | undefined, sheet: string, columns: Column<T>[], problems: Problems): Line[] {
  if (!rows || rows.length === 0) return [];
  const index = columnIndex(columns);
  const fields = (rows[0] ?? []).map((h) => index.get(foldText(h)) ?? null);
  const lines: Line[] = [];
  for (let i = 1; i < rows.length; i++) {
    const cells = rows[i] ?? [];
    if (cells.every((c) => c === '')) continue;
    const line: Line = { row: i + 1, id: null, values: new Map(), headers: new Map() };
    fields.forEach((col, c) => {
      const raw = (cells[c] ?? '').trim();
      if (!col || !col.field || raw === '' || !col.parse) return;
      line.headers.set(col.field, col.header);
      const p = col.parse(raw);
      if (!p.ok) problems.add(sheet, line.row, col.header, p.message);
      else line.values.set(col.field, p.value);
    });
    const id = line.values.get('id') as string | undefined;
    if (id !== undefined) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) problems.add(sheet, line.row, 'Mã định danh', `mã định danh "${id}" không hợp lệ.`);
      line.id = id.toLowerCase();
      line.values.delete('id');
    }
    lines.push(line);
  }
  return lines;
}

/** Nest dotted fields into an object (`information.public` → { information: { public } }). */
function nest(values: Map<string, unknown>, base: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of values) {
    const [head, sub] = k.split('.') as [string, string | undefined];
    if (sub) out[head] = { ...(out[head] as object | undefined), [sub]: v };
    else out[head] = v;
  }
  return out;
}

/** API fields that the sheet fills from a code column. */
const CODE_COLUMNS: Record<string, string> = {
  ownerUnitId: 'ownerUnitCode', operatingUnitId: 'operatingUnitCode', securityUnitId: 'securityUnitCode', reuseTargetUnitId: 'reuseTargetUnitCode',
  parentSystemId: 'parentCode', systemIds: 'systemCodes',
};

/**
 * Schema issues of a row, in Vietnamese, at most one per cell: a cell whose text was already refused (bad
 * value, unknown unit code) is not reported again from the missing field it left behind.
 */
function zodProblems(sheet: string, line: Line, columns: Column<unknown>[], err: z.ZodError, problems: Problems): void {
  for (const issue of err.issues) {
    const path = issue.path.map(String);
    const raw = path.length > 1 && ['information', 'connections'].includes(path[0]!) ? `${path[0]}.${path[1]}` : path[0] ?? '';
    const field = CODE_COLUMNS[raw] ?? raw;
    const column = columns.find((c) => c.field === field) ?? columns.find((c) => c.field?.startsWith(field));
    const header = line.headers.get(field) ?? column?.header ?? field;
    if (problems.has(sheet, line.row, header || null)) continue;
    const missing = issue.code === 'invalid_type' && !line.values.has(field);
    problems.add(sheet, line.row, header || null, issueMessage(issue, missing, column?.allowed));
  }
}

/** A zod issue as a sentence an official can act on; never the library's English text. */
function issueMessage(issue: z.core.$ZodIssue, missing: boolean, allowed: string[] | undefined): string {
  const choose = allowed?.length ? `; chọn một trong: ${allowed.join('; ')}` : '';
  if (missing) return `thiếu giá trị bắt buộc${choose}.`;
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'string' ? `cần ít nhất ${String(issue.minimum)} ký tự.` : issue.origin === 'array' ? `cần ít nhất ${String(issue.minimum)} mục.` : `phải từ ${String(issue.minimum)} trở lên.`;
    case 'too_big':
      return issue.origin === 'string' ? `dài quá ${String(issue.maximum)} ký tự.` : issue.origin === 'array' ? `nhiều quá ${String(issue.maximum)} mục.` : `phải không quá ${String(issue.maximum)}.`;
    case 'invalid_format':
      return issue.format === 'ipv4' || issue.format === 'ipv6' ? 'địa chỉ IP không hợp lệ.' : 'giá trị không đúng định dạng.';
    default:
      return `giá trị không hợp lệ${choose}.`;
  }
}

/**
 * Import the inventory workbook. Rows with a "Mã định danh" update that system/asset (empty cells keep the
 * stored value); rows without it create one; a row with only the id changes nothing — deletion is an explicit
 * API call, never a missing or empty row. Everything is validated and authorised first: any problem answers
 * 422 `import.invalid` listing sheet, row and column, and nothing from the file is written.
 */
export async function importInventory(deps: InventoryDeps, actor: Actor, upload: Upload): Promise<InventoryImportResult> {
  const problems = new Problems(upload.fileName);
  let book: Map<string, string[][]>;
  try {
    book = await readWorkbook(upload.data);
  } catch (err) {
    if (err instanceof TabularError) throw importInvalid(upload.fileName, [{ file: upload.fileName, row: 1, column: null, message: `Tệp ${upload.fileName}: ${err.message}` }]);
    throw err;
  }
  const sheetRows = (name: string) => [...book.entries()].find(([n]) => foldText(n) === foldText(name))?.[1];
  const sysSheet = INVENTORY_SHEETS.systems;
  const assetSheet = INVENTORY_SHEETS.assets;
  if (!sheetRows(sysSheet) && !sheetRows(assetSheet)) {
    problems.add(null, 1, null, `không có trang "${sysSheet}" hoặc "${assetSheet}".`);
    problems.throwIfAny();
  }
  const sysLines = readSheet(sheetRows(sysSheet), sysSheet, SYSTEM_COLUMNS, problems);
  const assetLines = readSheet(sheetRows(assetSheet), assetSheet, ASSET_COLUMNS, problems);

  // Look-ups: existing rows by id and code, units by code.
  const existingSystems = new Map((await findSystemsByIds(deps.db, sysLines.flatMap((l) => (l.id ? [l.id] : [])))).map((s) => [s.id, s]));
  const existingAssets = await findAssetsByIds(deps.db, assetLines.flatMap((l) => (l.id ? [l.id] : [])));
  const str = (l: Line, f: string) => l.values.get(f) as string | undefined;
  const systemCodes = new Set<string>();
  for (const l of sysLines) for (const f of ['code', 'parentCode']) if (str(l, f)) systemCodes.add(str(l, f)!);
  for (const l of assetLines) for (const c of (l.values.get('systemCodes') as string[] | undefined) ?? []) systemCodes.add(c);
  const systemsByCode = await findSystemsByCodes(deps.db, [...systemCodes]);
  const assetsByCode = await findAssetsByCodes(deps.db, assetLines.flatMap((l) => (str(l, 'code') ? [str(l, 'code')!] : [])));
  const unitCodes = new Set<string>();
  for (const l of [...sysLines, ...assetLines]) for (const f of ['ownerUnitCode', 'operatingUnitCode', 'securityUnitCode', 'reuseTargetUnitCode']) if (str(l, f)) unitCodes.add(str(l, f)!);
  const units = await findUnitsByCodes(deps.db, [...unitCodes]);
  const unitId = (sheet: string, l: Line, f: string): string | undefined => {
    const code = str(l, f);
    if (code === undefined) return undefined;
    const u = units.get(code);
    if (!u) problems.add(sheet, l.row, l.headers.get(f) ?? f, `không có đơn vị mã ${code}.`);
    return u?.id;
  };

  // Systems: validate each row into a row patch.
  type SysPlan = { line: Line; before: SystemWithUnits | null; fields: Partial<NewSystemRow>; id: string; parentCode?: string };
  const sysPlans: SysPlan[] = [];
  const fileCodes = new Map<string, number>();
  for (const l of sysLines) {
    const before = l.id ? existingSystems.get(l.id) ?? null : null;
    if (l.id && !before) problems.add(sysSheet, l.row, 'Mã định danh', `không có hệ thống mang mã định danh ${l.id}.`);
    if (l.values.size === 0) continue; // only an id: nothing to change, and never a delete
    const code = str(l, 'code');
    if (code) {
      if (fileCodes.has(code)) problems.add(sysSheet, l.row, 'Mã hệ thống', `mã hệ thống trùng với dòng ${fileCodes.get(code)}.`);
      fileCodes.set(code, l.row);
      const holder = systemsByCode.get(code);
      if (holder && holder.id !== before?.id) problems.add(sysSheet, l.row, 'Mã hệ thống', `mã ${code} đã thuộc hệ thống khác${before ? '' : ' (thêm Mã định danh để cập nhật)'}.`);
    }
    const api: Record<string, unknown> = nest(new Map([...l.values].filter(([k]) => !k.endsWith('UnitCode') && k !== 'parentCode')), before
      ? { information: JSON.parse(before.information_json), connections: JSON.parse(before.connections_json) }
      : {});
    for (const [f, key] of [['ownerUnitCode', 'ownerUnitId'], ['operatingUnitCode', 'operatingUnitId'], ['securityUnitCode', 'securityUnitId']] as const) {
      const id = unitId(sysSheet, l, f);
      if (id) api[key] = id;
    }
    const parsed = before ? SystemUpdateSchema.safeParse(api) : SystemCreateSchema.safeParse(api);
    if (!parsed.success) {
      zodProblems(sysSheet, l, SYSTEM_COLUMNS as Column<unknown>[], parsed.error, problems);
      continue;
    }
    sysPlans.push({ line: l, before, fields: rowFields(parsed.data), id: before?.id ?? newId(deps.clock()), parentCode: str(l, 'parentCode') });
  }
  const planByCode = new Map(sysPlans.map((p) => [(p.fields.code ?? p.before?.code)!, p]));
  for (const p of sysPlans) {
    if (p.parentCode && !systemsByCode.has(p.parentCode) && !planByCode.has(p.parentCode)) problems.add(sysSheet, p.line.row, 'Mã hệ thống cha', `không có hệ thống mã ${p.parentCode}.`);
  }

  // Assets.
  type AssetPlan = { line: Line; before: AssetWithUnits | null; fields: ReturnType<typeof assetFields>; id: string; systemCodes?: string[] };
  const assetPlans: AssetPlan[] = [];
  const assetCodes = new Map<string, number>();
  for (const l of assetLines) {
    const before = l.id ? existingAssets.get(l.id) ?? null : null;
    if (l.id && !before) problems.add(assetSheet, l.row, 'Mã định danh', `không có tài sản mang mã định danh ${l.id}.`);
    if (l.values.size === 0) continue;
    const code = str(l, 'code');
    if (code) {
      if (assetCodes.has(code)) problems.add(assetSheet, l.row, 'Mã tài sản', `mã tài sản trùng với dòng ${assetCodes.get(code)}.`);
      assetCodes.set(code, l.row);
      const holder = assetsByCode.get(code);
      if (holder && holder.id !== before?.id) problems.add(assetSheet, l.row, 'Mã tài sản', `mã ${code} đã thuộc tài sản khác${before ? '' : ' (thêm Mã định danh để cập nhật)'}.`);
    }
    const api: Record<string, unknown> = nest(new Map([...l.values].filter(([k]) => !k.endsWith('UnitCode') && k !== 'systemCodes')));
    const owner = unitId(assetSheet, l, 'ownerUnitCode');
    if (owner) api.ownerUnitId = owner;
    const target = unitId(assetSheet, l, 'reuseTargetUnitCode');
    if (target) api.reuseTargetUnitId = target;
    const systemCodesOfRow = l.values.get('systemCodes') as string[] | undefined;
    for (const c of systemCodesOfRow ?? []) if (!systemsByCode.has(c) && !planByCode.has(c)) problems.add(assetSheet, l.row, 'Mã hệ thống phục vụ', `không có hệ thống mã ${c}.`);
    const parsed = before ? AssetUpdateSchema.safeParse(api) : AssetCreateSchema.safeParse(api);
    if (!parsed.success) {
      zodProblems(assetSheet, l, ASSET_COLUMNS as Column<unknown>[], parsed.error, problems);
      continue;
    }
    assetPlans.push({ line: l, before, fields: assetFields(parsed.data), id: before?.id ?? newId(deps.clock()), systemCodes: systemCodesOfRow });
  }
  problems.throwIfAny();

  // Authorise every row before writing anything (a refusal is a 403 for the whole file).
  for (const p of sysPlans) {
    const merged = { ...(p.before ?? {}), ...p.fields } as SystemRow;
    const parent = p.parentCode ? systemsByCode.get(p.parentCode) : undefined;
    await authoriseWrite(deps.db, actor, p.id, { ...merged, parent_system_id: parent?.id ?? (p.parentCode ? null : merged.parent_system_id ?? null) }, changesLevels(p.before, p.fields));
  }
  for (const p of assetPlans) {
    const merged = { ...(p.before ?? {}), ...p.fields } as AssetWithUnits;
    await authoriseAssetWrite(deps.db, actor, p.id, merged, undefined);
    for (const c of p.systemCodes ?? []) {
      const s = systemsByCode.get(c);
      if (s) requireOnSystem(actor, 'system.read', s);
    }
  }

  const parentId = (code: string) => systemsByCode.get(code)?.id ?? planByCode.get(code)!.id;
  const parentChanges = (p: SysPlan) => !!p.parentCode && parentId(p.parentCode) !== p.before?.parent_system_id;
  const oldLinks = await linksOfAssets(deps.db, assetPlans.flatMap((p) => (p.before ? [p.id] : [])));
  const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();
  const now = nowIso(deps.clock);
  const counts = { systems: { created: 0, updated: 0, unchanged: 0 }, assets: { created: 0, updated: 0, unchanged: 0 } };
  counts.systems.unchanged += sysLines.filter((l) => l.values.size === 0).length;
  counts.assets.unchanged += assetLines.filter((l) => l.values.size === 0).length;
  await deps.db.transaction().execute(async (tx) => {
    const touched = new Set<string>();
    for (const p of sysPlans) {
      if (!p.before) {
        await insertSystemRow(tx, { id: p.id, ...p.fields, created_at: now, updated_at: now } as NewSystemRow);
        counts.systems.created++;
        touched.add(p.id);
        continue;
      }
      const changed = Object.entries(p.fields).filter(([k, v]) => (p.before as Record<string, unknown>)[k] !== v);
      if (changed.length === 0 && !parentChanges(p)) {
        counts.systems.unchanged++;
        continue;
      }
      await updateSystemRow(tx, p.id, { ...Object.fromEntries(changed), updated_at: now });
      counts.systems.updated++;
      touched.add(p.id);
    }
    for (const p of sysPlans) {
      if (!parentChanges(p)) continue;
      await updateSystemRow(tx, p.id, { parent_system_id: parentId(p.parentCode!) });
      touched.add(p.id);
    }
    for (const id of touched) await refreshProposal(tx, id);
    for (const p of assetPlans) {
      const systemIds = p.systemCodes?.map(parentId);
      if (!p.before) {
        await insertAssetRow(tx, { id: p.id, ...p.fields, ips_json: p.fields.ips_json ?? '[]', software_json: p.fields.software_json ?? '[]', created_at: now, updated_at: now } as never);
        counts.assets.created++;
      } else {
        const changed = Object.entries(p.fields).filter(([k, v]) => (p.before as Record<string, unknown>)[k] !== v);
        const sameLinks = !systemIds || sameSet(systemIds, (oldLinks.get(p.id) ?? []).map((x) => x.id));
        if (changed.length === 0 && sameLinks) {
          counts.assets.unchanged++;
          continue;
        }
        if (changed.length) await updateAssetRow(tx, p.id, { ...Object.fromEntries(changed), updated_at: now });
        counts.assets.updated++;
      }
      if (systemIds && !(p.before && sameSet(systemIds, (oldLinks.get(p.id) ?? []).map((x) => x.id)))) await setAssetLinks(tx, p.id, systemIds, now);
    }
    await recordAudit(tx, actor, { action: 'inventory.import', targetType: 'information_system', details: { file: upload.fileName, ...counts } }, now);
  });
  return { file: upload.fileName, ...counts };
}
