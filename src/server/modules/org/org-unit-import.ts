import type { ImportResult } from '../../../contracts/common.js';
import { UNIT_TYPES } from '../../../contracts/org.js';
import type { Actor } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import { foldText } from '../../core/text.js';
import { newId, nowIso } from '../../db/columns.js';
import { findUnitsByCodes, insertUnitRow, updateUnitRow } from './org-unit.repository.js';
import type { OrgDeps } from './org-unit.service.js';
import { isAdmin, requireCreateRoot, requireOnUnit } from './org.policy.js';
import type { OrgUnitRow } from './org.table.js';
import { parseDateCell, ProblemList, readImportRows } from './import-common.js';
import { asClause, ceasedBefore, MERGE_DESCENDANT, MERGE_SELF, MERGE_TARGET_CEASED, mergedOnProblem } from './merge-rules.js';
import { dayBefore } from './scope.js';
import type { Upload } from './upload.js';

const ALIASES: Record<string, string> = {
  code: 'code', ma: 'code', ma_don_vi: 'code',
  name: 'name', ten: 'name', ten_don_vi: 'name',
  type: 'type', loai: 'type',
  parent_code: 'parent_code', ma_don_vi_cha: 'parent_code',
  valid_from: 'valid_from', hieu_luc_tu: 'valid_from',
  valid_to: 'valid_to', hieu_luc_den: 'valid_to',
  merged_into_code: 'merged_into_code', sap_nhap_vao: 'merged_into_code',
  merged_on: 'merged_on', ngay_sap_nhap: 'merged_on',
  merger_decision: 'merger_decision', quyet_dinh: 'merger_decision',
};

interface UnitLine {
  row: number;
  code: string;
  name: string;
  type: string;
  parentCode: string | null;
  validFrom: string | null;
  validTo: string | null;
  mergedIntoCode: string | null;
  mergedOn: string | null;
  decision: string | null;
}

/**
 * Import org units from CSV/XLSX, all or nothing. Parents may appear after their children in the file.
 * A code already in the database updates that unit (its parent cannot change); a new code creates one.
 */
export async function importUnits(deps: OrgDeps, actor: Actor, upload: Upload): Promise<ImportResult> {
  const { rows, labels } = await readImportRows(upload, ALIASES, ['code', 'name', 'type']);
  const problems = new ProblemList(upload.fileName, labels);
  const lines: UnitLine[] = [];
  const seen = new Map<string, number>();
  for (const { row, cells } of rows) {
    const c = (k: string) => (cells[k] ?? '').trim();
    const code = c('code');
    if (!code) problems.add(row, 'code', 'thiếu mã đơn vị.');
    else if (code.length > 50) problems.add(row, 'code', 'mã đơn vị dài quá 50 ký tự.');
    else if (seen.has(code)) problems.add(row, 'code', `mã ${code} trùng với dòng ${seen.get(code)}.`);
    else seen.set(code, row);
    const name = c('name');
    if (!name) problems.add(row, 'name', 'thiếu tên đơn vị.');
    const type = c('type');
    if (!(UNIT_TYPES as readonly string[]).includes(type)) problems.add(row, 'type', `loại đơn vị "${type}" không hợp lệ (${UNIT_TYPES.join(', ')}).`);
    const dates: Record<string, string | null> = {};
    for (const f of ['valid_from', 'valid_to', 'merged_on']) {
      const d = parseDateCell(c(f));
      if (d === undefined) problems.add(row, f, `ngày "${c(f)}" không hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY).`);
      dates[f] = d ?? null;
    }
    const mergedIntoCode = c('merged_into_code') || null;
    if (dates.merged_on && !mergedIntoCode) problems.add(row, 'merged_into_code', 'có ngày sáp nhập nhưng thiếu mã đơn vị tiếp nhận.');
    if (mergedIntoCode && !dates.merged_on) problems.add(row, 'merged_on', 'thiếu ngày sáp nhập.');
    if (mergedIntoCode && mergedIntoCode === code) problems.add(row, 'merged_into_code', asClause(MERGE_SELF));
    lines.push({
      row, code, name, type,
      parentCode: c('parent_code') || null,
      validFrom: dates.valid_from ?? null,
      validTo: dates.valid_to ?? (dates.merged_on ? dayBefore(dates.merged_on) : null),
      mergedIntoCode,
      mergedOn: dates.merged_on ?? null,
      decision: c('merger_decision') || null,
    });
  }
  problems.throwIfAny();

  const refCodes = [...new Set(lines.flatMap((l) => [l.code, l.parentCode, l.mergedIntoCode]).filter((x): x is string => !!x))];
  const existing = await findUnitsByCodes(deps.db, refCodes);
  const byCode = new Map(lines.map((l) => [l.code, l]));
  for (const l of lines) {
    if (l.parentCode && !byCode.has(l.parentCode) && !existing.has(l.parentCode)) problems.add(l.row, 'parent_code', `không có đơn vị mã ${l.parentCode}.`);
    if (l.mergedIntoCode && !byCode.has(l.mergedIntoCode) && !existing.has(l.mergedIntoCode)) problems.add(l.row, 'merged_into_code', `không có đơn vị mã ${l.mergedIntoCode}.`);
    const old = existing.get(l.code);
    if (old) {
      const oldParent = old.parent_id ? [...existing.values()].find((u) => u.id === old.parent_id)?.code ?? '(khác)' : null;
      if (l.parentCode && l.parentCode !== oldParent) problems.add(l.row, 'parent_code', `đơn vị ${l.code} đã có, không thể đổi đơn vị cha qua nhập tệp.`);
    }
  }
  // The merger rules of POST /org-units/:id/merge (merge-rules.ts), judged on the units as the file leaves them.
  // A target "ceased" when its last valid day precedes this merger: history files may hold chains (A into B,
  // later B into C), so a target merged after this date is accepted.
  /** Whether `code` lies in the subtree of `ancestor`: new units climb their parent codes, existing ones compare paths. */
  const isDescendant = (code: string, ancestor: string): boolean => {
    const anc = existing.get(ancestor);
    const seen = new Set<string>();
    for (let cur: string | null = code; cur && !seen.has(cur); cur = byCode.get(cur)?.parentCode ?? null) {
      seen.add(cur);
      if (cur === ancestor) return true;
      const ex = existing.get(cur);
      if (ex) return !!anc && ex.path.startsWith(anc.path);
    }
    return false;
  };
  for (const l of lines) {
    if (!l.mergedIntoCode || !l.mergedOn || l.mergedIntoCode === l.code) continue;
    const early = mergedOnProblem(l.validFrom ?? existing.get(l.code)?.valid_from ?? null, l.mergedOn, null);
    if (early) problems.add(l.row, 'merged_on', asClause(early));
    const targetLine = byCode.get(l.mergedIntoCode);
    const targetOld = existing.get(l.mergedIntoCode);
    if (!targetLine && !targetOld) continue;
    if (isDescendant(l.mergedIntoCode, l.code)) problems.add(l.row, 'merged_into_code', asClause(MERGE_DESCENDANT));
    else if (ceasedBefore(targetLine?.validTo ?? targetOld?.valid_to ?? null, l.mergedOn)) {
      problems.add(l.row, 'merged_into_code', asClause(MERGE_TARGET_CEASED));
    }
  }

  // A parent cycle inside the file (A under B under A) can never be placed.
  for (const l of lines) {
    const path = new Set<string>([l.code]);
    let p = l.parentCode;
    while (p && byCode.has(p) && !existing.has(p)) {
      if (path.has(p)) {
        problems.add(l.row, 'parent_code', 'đơn vị cha tạo thành vòng lặp.');
        break;
      }
      path.add(p);
      p = byCode.get(p)!.parentCode;
    }
  }
  problems.throwIfAny();

  // Authorisation: write over every existing unit touched and over every existing parent of a new unit.
  for (const l of lines) {
    const old = existing.get(l.code);
    if (old) requireOnUnit(actor, 'org_unit.write', old);
    else if (!l.parentCode) requireCreateRoot(actor);
    else if (existing.has(l.parentCode)) requireOnUnit(actor, 'org_unit.write', existing.get(l.parentCode)!);
    if (l.mergedIntoCode && existing.has(l.mergedIntoCode) && !isAdmin(actor)) requireOnUnit(actor, 'org_unit.write', existing.get(l.mergedIntoCode)!);
  }

  const now = nowIso(deps.clock);
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  await deps.db.transaction().execute(async (tx) => {
    const placed = new Map<string, OrgUnitRow>(existing);
    let pending = lines.slice();
    while (pending.length > 0) {
      const next: UnitLine[] = [];
      for (const l of pending) {
        const old = existing.get(l.code);
        if (old) {
          const patch = {
            name: l.name, name_folded: foldText(l.name), type: l.type,
            valid_from: l.validFrom ?? old.valid_from, valid_to: l.validTo ?? old.valid_to,
            merged_on: l.mergedOn ?? old.merged_on, merger_decision: l.decision ?? old.merger_decision,
          };
          const same = (Object.keys(patch) as (keyof typeof patch)[]).every((k) => patch[k] === old[k]);
          if (same && !l.mergedIntoCode) unchanged++;
          else {
            await updateUnitRow(tx, old.id, { ...patch, updated_at: now });
            updated++;
          }
          continue;
        }
        const parent = l.parentCode ? placed.get(l.parentCode) : null;
        if (l.parentCode && !parent) {
          next.push(l);
          continue;
        }
        const id = newId(deps.clock());
        const row: OrgUnitRow = {
          id, code: l.code, name: l.name, short_name: null, type: l.type,
          parent_id: parent?.id ?? null, path: `${parent?.path ?? '/'}${id}/`, depth: parent ? parent.depth + 1 : 0,
          valid_from: l.validFrom, valid_to: l.validTo, merged_into_id: null, merged_on: l.mergedOn, merger_decision: l.decision,
          name_folded: foldText(l.name), created_at: now, updated_at: now,
        };
        await insertUnitRow(tx, row);
        placed.set(l.code, row);
        created++;
      }
      if (next.length === pending.length) throw new Error('unit import: unresolvable parents after validation');
      pending = next;
    }
    for (const l of lines) {
      if (!l.mergedIntoCode) continue;
      const self = placed.get(l.code)!;
      const target = placed.get(l.mergedIntoCode)!;
      await updateUnitRow(tx, self.id, { merged_into_id: target.id, updated_at: now });
    }
    await recordAudit(tx, actor, {
      action: 'org_unit.import',
      targetType: 'org_unit',
      unitId: actor.unitId,
      details: { file: upload.fileName, rows: lines.length, created, updated, unchanged },
    }, now);
  });
  return { file: upload.fileName, created, updated, unchanged };
}
