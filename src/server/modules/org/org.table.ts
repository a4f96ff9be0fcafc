import type { Insertable, Selectable, Updateable } from 'kysely';

/** Org units (đơn vị): the province, its departments, communes/wards, sub-units, and the former units merged into them. */
export interface OrgUnitsTable {
  id: string;
  code: string;
  name: string;
  short_name: string | null;
  /** province | department | agency | police | commune | ward | sub_unit | former_province | former_district | former_commune */
  type: string;
  parent_id: string | null;
  /** Materialised path of ancestor ids, `/rootId/…/selfId/`: subtree checks are prefix matches. */
  path: string;
  depth: number;
  valid_from: string | null;
  valid_to: string | null;
  merged_into_id: string | null;
  merged_on: string | null;
  merger_decision: string | null;
  name_folded: string;
  created_at: string;
  updated_at: string;
}
export type OrgUnitRow = Selectable<OrgUnitsTable>;
export type NewOrgUnitRow = Insertable<OrgUnitsTable>;
export type OrgUnitUpdate = Updateable<OrgUnitsTable>;

/** The personnel roster (cán bộ, công chức, viên chức). */
export interface PeopleTable {
  id: string;
  full_name: string;
  /** Full name folded: lower case, diacritics removed, đ→d; what search matches. */
  name_folded: string;
  /** Keyed hash (HMAC-SHA-256 with the instance secret) of the 12-digit CCCD: matchable, never stored in clear. */
  citizen_id_hash: string | null;
  /** Masked display form, e.g. `064*******123`. */
  citizen_id_masked: string | null;
  date_of_birth: string | null;
  gender: string | null;
  email: string | null;
  phone: string | null;
  unit_id: string;
  position: string | null;
  /** active | retired | transferred | on_leave | dismissed | deceased */
  status: string;
  status_since: string | null;
  created_at: string;
  updated_at: string;
}
export type PersonRow = Selectable<PeopleTable>;
export type NewPersonRow = Insertable<PeopleTable>;

/** Every change of a person's status, unit or position, with its effective date and decision. */
export interface PersonStatusHistoryTable {
  id: string;
  person_id: string;
  status: string;
  unit_id: string;
  position: string | null;
  effective_from: string;
  decision: string | null;
  note: string | null;
  recorded_at: string;
  recorded_by: string | null;
}
export type PersonStatusHistoryRow = Selectable<PersonStatusHistoryTable>;

/** Platform users (who log in to Khiên), each linked to a person of the roster where one exists. */
export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  person_id: string | null;
  /** The unit the account belongs to (for scoping administration of users). */
  unit_id: string;
  email: string | null;
  password_hash: string | null;
  password_changed_at: string | null;
  must_change_password: number;
  /** active | disabled */
  status: string;
  failed_logins: number;
  locked_until: string | null;
  lockouts: number;
  last_login_at: string | null;
  locale: string;
  created_at: string;
  updated_at: string;
}
export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;

/** A role granted to a user at an org unit; it covers the unit's subtree. */
export interface RoleGrantsTable {
  id: string;
  user_id: string;
  role: string;
  unit_id: string;
  granted_by: string | null;
  granted_at: string;
  expires_at: string | null;
  note: string | null;
}
export type RoleGrantRow = Selectable<RoleGrantsTable>;

export interface OrgTables {
  org_units: OrgUnitsTable;
  people: PeopleTable;
  person_status_history: PersonStatusHistoryTable;
  users: UsersTable;
  role_grants: RoleGrantsTable;
}
