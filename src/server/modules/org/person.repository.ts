import { sql } from 'kysely';
import type { Person, PersonStatus } from '../../../contracts/org.js';
import type { Db, Tx } from '../../db/database.js';
import { escapeLike } from '../../core/text.js';
import type { NewPersonRow, PersonRow, PersonStatusHistoryRow } from './org.table.js';
import { pathInScope } from './scope.js';

/** A person with the facts of their unit that policies and responses need. */
export type PersonWithUnit = PersonRow & { unit_name: string; unit_path: string; unit_code: string };

/** Map to the API shape. The masked CCCD is shown only when `showCitizenId` (person.read_citizen_id). */
export function toPerson(row: PersonWithUnit, showCitizenId: boolean): Person {
  return {
    id: row.id,
    fullName: row.full_name,
    citizenIdMasked: showCitizenId ? row.citizen_id_masked : null,
    dateOfBirth: row.date_of_birth,
    gender: row.gender === 'male' || row.gender === 'female' ? row.gender : null,
    email: row.email,
    phone: row.phone,
    unitId: row.unit_id,
    unitName: row.unit_name,
    position: row.position,
    status: row.status as PersonStatus,
    statusSince: row.status_since,
  };
}

function withUnit(db: Db | Tx) {
  return db
    .selectFrom('people as p')
    .innerJoin('org_units as u', 'u.id', 'p.unit_id')
    .selectAll('p')
    .select(['u.name as unit_name', 'u.path as unit_path', 'u.code as unit_code']);
}

export function findPerson(db: Db | Tx, id: string): Promise<PersonWithUnit | undefined> {
  return withUnit(db).where('p.id', '=', id).executeTakeFirst();
}

export interface PeopleFilter {
  prefixes: string[];
  /** Restrict to a unit (`id`) or its subtree (`path`). */
  unitId?: string;
  unitPath?: string;
  /** Folded free text, matched against name_folded, email and phone. */
  text?: string;
  citizenIdHash?: string;
  status?: string;
}

function filtered(db: Db, f: PeopleFilter) {
  let q = withUnit(db).where(pathInScope('u.path', f.prefixes));
  if (f.unitPath) q = q.where('u.path', 'like', `${f.unitPath}%`);
  if (f.unitId) q = q.where('p.unit_id', '=', f.unitId);
  if (f.status) q = q.where('p.status', '=', f.status);
  if (f.citizenIdHash) q = q.where('p.citizen_id_hash', '=', f.citizenIdHash);
  if (f.text) {
    const pattern = `%${escapeLike(f.text)}%`;
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`p.name_folded like ${pattern} escape '\\'`,
        sql<boolean>`p.email like ${pattern} escape '\\'`,
        sql<boolean>`p.phone like ${pattern} escape '\\'`,
      ]),
    );
  }
  return q;
}

/** One page of people in scope, ordered by folded name. */
export async function listPeople(db: Db, f: PeopleFilter, page: number, pageSize: number): Promise<{ rows: PersonWithUnit[]; total: number }> {
  const rows = await filtered(db, f).orderBy('p.name_folded').orderBy('p.id').limit(pageSize).offset((page - 1) * pageSize).execute();
  const count = await filtered(db, f).clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(count.n) };
}

/** Every person matching the filter (exports), ordered by unit then name. */
export function listAllPeople(db: Db, f: PeopleFilter): Promise<PersonWithUnit[]> {
  return filtered(db, f).orderBy('u.path').orderBy('p.name_folded').orderBy('p.id').execute();
}

export function findPeopleByCitizenHashes(db: Db | Tx, hashes: string[]): Promise<PersonWithUnit[]> {
  if (hashes.length === 0) return Promise.resolve([]);
  return withUnit(db).where('p.citizen_id_hash', 'in', hashes).execute();
}

export function findPeopleByIds(db: Db | Tx, ids: string[]): Promise<PersonWithUnit[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return withUnit(db).where('p.id', 'in', ids).execute();
}

export function findPeopleByEmails(db: Db | Tx, emails: string[]): Promise<PersonWithUnit[]> {
  if (emails.length === 0) return Promise.resolve([]);
  return withUnit(db).where('p.email', 'in', emails).execute();
}

export async function insertPersonRow(tx: Tx, row: NewPersonRow): Promise<void> {
  await tx.insertInto('people').values(row).execute();
}

export async function updatePersonRow(tx: Tx, id: string, patch: Partial<NewPersonRow>): Promise<void> {
  await tx.updateTable('people').set(patch).where('id', '=', id).execute();
}

export async function insertHistoryRow(tx: Tx, row: PersonStatusHistoryRow): Promise<void> {
  await tx.insertInto('person_status_history').values(row).execute();
}

/** A person's status history, newest effective date first. */
export function listHistory(db: Db, personId: string) {
  return db
    .selectFrom('person_status_history as h')
    .innerJoin('org_units as u', 'u.id', 'h.unit_id')
    .selectAll('h')
    .select('u.name as unit_name')
    .where('h.person_id', '=', personId)
    .orderBy('h.effective_from', 'desc')
    .orderBy('h.recorded_at', 'desc')
    .execute();
}
