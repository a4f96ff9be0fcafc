import { type SqlBool, sql } from 'kysely';
import type { Db, Tx } from '../../db/database.js';
import { pathInScope } from '../org/scope.js';

/**
 * Access-log records and look-up alerts joined with their system's units, for scoping: both are visible in
 * the subtree of the system's owner, operating or security unit (the inventory's rule) to holders of audit.read.
 */
export function systemScope(prefixes: string[]) {
  return sql<SqlBool>`(${pathInScope('ou.path', prefixes)} or ${pathInScope('opu.path', prefixes)} or ${pathInScope('su.path', prefixes)})`;
}

export function recordsWithSystem(db: Db | Tx) {
  return db
    .selectFrom('access_log_records as r')
    .innerJoin('information_systems as s', 's.id', 'r.system_id')
    .innerJoin('org_units as ou', 'ou.id', 's.owner_unit_id')
    .leftJoin('org_units as opu', 'opu.id', 's.operating_unit_id')
    .leftJoin('org_units as su', 'su.id', 's.security_unit_id')
    .leftJoin('people as p', 'p.id', 'r.person_id')
    .leftJoin('audit_log_leaves as l', (j) => j.onRef('l.source_seq', '=', 'r.seq').on('l.source', '=', 'access_log'));
}

export function alertsWithSystem(db: Db | Tx) {
  return db
    .selectFrom('lookup_alerts as a')
    .innerJoin('information_systems as s', 's.id', 'a.system_id')
    .innerJoin('org_units as ou', 'ou.id', 's.owner_unit_id')
    .leftJoin('org_units as opu', 'opu.id', 's.operating_unit_id')
    .leftJoin('org_units as su', 'su.id', 's.security_unit_id')
    .leftJoin('people as p', 'p.id', 'a.person_id')
    .leftJoin('users as u', 'u.id', 'a.assignee_user_id');
}
