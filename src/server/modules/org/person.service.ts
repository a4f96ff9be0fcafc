import type { z } from 'zod';
import type {
  PeopleFilterQuery, PeopleQuerySchema, Person, PersonCreateSchema, PersonHistoryEntrySchema, PersonStatus, PersonStatusChangeSchema, PersonUpdateSchema,
} from '../../../contracts/org.js';
import { type Actor, can } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { foldText } from '../../core/text.js';
import { newId, nowIso } from '../../db/columns.js';
import { hashCitizenId, isCitizenId, maskCitizenId } from './citizen-id.js';
import { getUnitRow, type OrgDeps } from './org-unit.service.js';
import { prefixesFor, requireOnUnit } from './org.policy.js';
import type { PersonRow } from './org.table.js';
import {
  findPerson, insertHistoryRow, insertPersonRow, listHistory, listPeople, type PeopleFilter, type PersonWithUnit, toPerson, updatePersonRow,
} from './person.repository.js';
import { todayVn } from './scope.js';

/** The person as this actor may see them (masked CCCD only with person.read_citizen_id over their unit). */
export function present(actor: Actor, row: PersonWithUnit): Person {
  return toPerson(row, can(actor, 'person.read_citizen_id', row.unit_path));
}

/** Normalise an e-mail for storage and matching. */
export function normEmail(v: string | null | undefined): string | null {
  return v ? v.trim().toLowerCase() : null;
}

/** A person by id; 404 unknown, 403 (audited) outside the actor's scope for `permission`. */
export async function getPersonRow(deps: OrgDeps, actor: Actor, id: string, permission: 'person.read' | 'person.write'): Promise<PersonWithUnit> {
  const row = await findPerson(deps.db, id);
  if (!row) throw new NotFoundError('person.not_found', 'Không tìm thấy cán bộ.');
  requireOnUnit(actor, permission, { id: row.unit_id, path: row.unit_path }, { type: 'person', id });
  return row;
}

/**
 * The repository filter for the roster's query parameters, shared by the list and the export. A `unitId` must
 * lie in the actor's scope (403, audited); free text is folded ("nguyen van an" finds "Nguyễn Văn An") and
 * matched against name, e-mail and phone; a 12-digit query is a CCCD and is matched by its keyed hash only.
 */
export async function peopleFilterFor(deps: OrgDeps, actor: Actor, query: PeopleFilterQuery): Promise<PeopleFilter> {
  const prefixes = prefixesFor(actor, 'person.read');
  let unitFilter: { unitId?: string; unitPath?: string } = {};
  if (query.unitId) {
    const unit = await getUnitRow(deps, query.unitId);
    requireOnUnit(actor, 'person.read', unit);
    unitFilter = query.subtree === 'false' ? { unitId: unit.id } : { unitPath: unit.path };
  }
  const q = query.q?.trim();
  const byCid = q && isCitizenId(q) ? hashCitizenId(deps.keys, q) : undefined;
  return { prefixes, ...unitFilter, status: query.status, citizenIdHash: byCid, text: q && !byCid ? foldText(q) : undefined };
}

/** Search the roster within the actor's scope, one page at a time (filters: see peopleFilterFor). */
export async function searchPeople(deps: OrgDeps, actor: Actor, query: z.infer<typeof PeopleQuerySchema>) {
  const { rows, total } = await listPeople(deps.db, await peopleFilterFor(deps, actor, query), query.page, query.pageSize);
  return { items: rows.map((r) => present(actor, r)), total, page: query.page, pageSize: query.pageSize };
}

export async function getPerson(deps: OrgDeps, actor: Actor, id: string): Promise<Person> {
  return present(actor, await getPersonRow(deps, actor, id, 'person.read'));
}

/** Add a person to the roster; the first status history entry records their status on entry. */
export async function createPerson(deps: OrgDeps, actor: Actor, input: z.infer<typeof PersonCreateSchema>): Promise<Person> {
  const unit = await getUnitRow(deps, input.unitId);
  requireOnUnit(actor, 'person.write', unit);
  const now = nowIso(deps.clock);
  const id = newId(deps.clock());
  const row: PersonRow = {
    id,
    full_name: input.fullName,
    name_folded: foldText(input.fullName),
    citizen_id_hash: input.citizenId ? hashCitizenId(deps.keys, input.citizenId) : null,
    citizen_id_masked: input.citizenId ? maskCitizenId(input.citizenId) : null,
    date_of_birth: input.dateOfBirth ?? null,
    gender: input.gender ?? null,
    email: normEmail(input.email),
    phone: input.phone ?? null,
    unit_id: unit.id,
    position: input.position ?? null,
    status: input.status,
    status_since: input.statusSince ?? null,
    created_at: now,
    updated_at: now,
  };
  await deps.db.transaction().execute(async (tx) => {
    await insertPersonRow(tx, row);
    await insertHistoryRow(tx, {
      id: newId(deps.clock()), person_id: id, status: row.status, unit_id: unit.id, position: row.position,
      effective_from: row.status_since ?? todayVn(deps.clock), decision: null, note: null, recorded_at: now, recorded_by: actor.userId,
    });
    const shown = toPerson({ ...row, unit_name: unit.name, unit_path: unit.path, unit_code: unit.code }, true);
    await recordAudit(tx, actor, { action: 'person.create', targetType: 'person', targetId: id, unitId: unit.id, after: shown }, now);
  });
  return present(actor, { ...row, unit_name: unit.name, unit_path: unit.path, unit_code: unit.code });
}

/** Correct a person's details (not status, unit or position history: those go through changeStatus). */
export async function updatePerson(deps: OrgDeps, actor: Actor, id: string, input: z.infer<typeof PersonUpdateSchema>): Promise<Person> {
  const before = await getPersonRow(deps, actor, id, 'person.write');
  const now = nowIso(deps.clock);
  const patch: Partial<PersonRow> = { updated_at: now };
  if (input.fullName !== undefined) Object.assign(patch, { full_name: input.fullName, name_folded: foldText(input.fullName) });
  if (input.citizenId !== undefined) {
    Object.assign(patch, input.citizenId
      ? { citizen_id_hash: hashCitizenId(deps.keys, input.citizenId), citizen_id_masked: maskCitizenId(input.citizenId) }
      : { citizen_id_hash: null, citizen_id_masked: null });
  }
  if (input.dateOfBirth !== undefined) patch.date_of_birth = input.dateOfBirth ?? null;
  if (input.gender !== undefined) patch.gender = input.gender ?? null;
  if (input.email !== undefined) patch.email = normEmail(input.email);
  if (input.phone !== undefined) patch.phone = input.phone ?? null;
  if (input.position !== undefined) patch.position = input.position ?? null;
  const after: PersonWithUnit = { ...before, ...patch };
  await deps.db.transaction().execute(async (tx) => {
    await updatePersonRow(tx, id, patch);
    await recordAudit(tx, actor, { action: 'person.update', targetType: 'person', targetId: id, unitId: before.unit_id, before: toPerson(before, true), after: toPerson(after, true) }, now);
  });
  return present(actor, after);
}

/**
 * Record a change of status with its effective date (retirement, transfer, leave, dismissal, death, return).
 * A transfer names the new unit: the actor must be able to write to both the old and the new unit.
 */
export async function changeStatus(deps: OrgDeps, actor: Actor, id: string, input: z.infer<typeof PersonStatusChangeSchema>): Promise<Person> {
  const before = await getPersonRow(deps, actor, id, 'person.write');
  if (input.status === 'transferred' && !input.unitId) {
    throw new ValidationError('person.transfer_needs_unit', 'Chuyển công tác cần chọn đơn vị mới.');
  }
  let unit = { id: before.unit_id, name: before.unit_name, path: before.unit_path, code: before.unit_code };
  if (input.unitId && input.unitId !== before.unit_id) {
    const u = await getUnitRow(deps, input.unitId);
    requireOnUnit(actor, 'person.write', u);
    unit = { id: u.id, name: u.name, path: u.path, code: u.code };
  }
  const now = nowIso(deps.clock);
  const position = input.position !== undefined ? (input.position ?? null) : before.position;
  const patch = { status: input.status as PersonStatus, status_since: input.effectiveFrom, unit_id: unit.id, position, updated_at: now };
  const after: PersonWithUnit = { ...before, ...patch, unit_name: unit.name, unit_path: unit.path, unit_code: unit.code };
  await deps.db.transaction().execute(async (tx) => {
    await updatePersonRow(tx, id, patch);
    await insertHistoryRow(tx, {
      id: newId(deps.clock()), person_id: id, status: input.status, unit_id: unit.id, position,
      effective_from: input.effectiveFrom, decision: input.decision ?? null, note: input.note ?? null, recorded_at: now, recorded_by: actor.userId,
    });
    await recordAudit(tx, actor, {
      action: 'person.status_change', targetType: 'person', targetId: id, unitId: unit.id,
      before: { status: before.status, unitId: before.unit_id, position: before.position, statusSince: before.status_since },
      after: { status: input.status, unitId: unit.id, position, statusSince: input.effectiveFrom },
      details: { decision: input.decision ?? null },
    }, now);
  });
  return present(actor, after);
}

export async function personHistory(deps: OrgDeps, actor: Actor, id: string): Promise<z.infer<typeof PersonHistoryEntrySchema>[]> {
  await getPersonRow(deps, actor, id, 'person.read');
  const rows = await listHistory(deps.db, id);
  return rows.map((h) => ({
    id: h.id, status: h.status as PersonStatus, unitId: h.unit_id, unitName: h.unit_name, position: h.position,
    effectiveFrom: h.effective_from, decision: h.decision, note: h.note, recordedAt: h.recorded_at,
  }));
}
