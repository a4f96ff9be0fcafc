import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../../test/support/context.js';
import { hashCitizenId } from '../org/citizen-id.js';
import { generateDemoData } from './demo-data.js';
import { loadDemoData } from './demo-loader.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

// The whole demo (province, inventory, accounts, vulnerability scans through the real importer) takes tens of
// seconds on a loaded 2-core machine; this bounds the test, it measures nothing.
describe('demo loader', { timeout: 120_000 }, () => {
  it('loads the new Gia Lai province with 135 communes and wards, lineage and officials, once', async () => {
    const first = await loadDemoData({ db: ctx.db, keys: ctx.keys, clock: ctx.now });
    expect(first.loaded).toBe(true);
    const communes = await ctx.db
      .selectFrom('org_units')
      .select(sql<number>`count(*)`.as('n'))
      .where('type', 'in', ['commune', 'ward'])
      .where('valid_to', 'is', null)
      .executeTakeFirstOrThrow();
    expect(Number(communes.n)).toBe(135);
    const people = await ctx.db.selectFrom('people').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    expect(Number(people.n)).toBe(first.people);
    expect(first.people).toBeGreaterThan(2500);

    // The former Bình Định province ceased and was merged into the new province.
    const bd = await ctx.db.selectFrom('org_units').selectAll().where('type', '=', 'former_province').where('name', 'like', '%Bình Định%').executeTakeFirstOrThrow();
    const root = await ctx.db.selectFrom('org_units').selectAll().where('id', '=', bd.merged_into_id!).executeTakeFirstOrThrow();
    expect(root.type).toBe('province');
    expect(root.valid_to).toBeNull();
    expect(bd.merged_on).toBe('2025-07-01');

    // Citizen IDs are stored only as keyed hashes and masked forms.
    const person = generateDemoData().people[0]!;
    const row = await ctx.db.selectFrom('people').selectAll().where('citizen_id_hash', '=', hashCitizenId(ctx.keys, person.citizenId)).executeTakeFirstOrThrow();
    expect(row.full_name).toBe(person.fullName);
    expect(row.citizen_id_masked).toBe(`${person.citizenId.slice(0, 3)}******${person.citizenId.slice(-3)}`);
    expect(JSON.stringify(row)).not.toContain(person.citizenId);

    const audit = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'demo.load').execute();
    expect(audit).toHaveLength(1);

    // One demo user per role, linked to an official of their unit, without a password until an admin issues one.
    const users = await ctx.db.selectFrom('users as u').innerJoin('role_grants as g', 'g.user_id', 'u.id').select(['u.username', 'g.role', 'u.person_id', 'u.password_hash']).execute();
    expect(new Set(users.map((u) => u.role))).toEqual(new Set(['subcommittee', 'police', 'soc_analyst', 'unit_manager', 'system_owner', 'operator', 'auditor', 'official']));
    expect(users.every((u) => u.person_id !== null && u.password_hash === null)).toBe(true);

    const again = await loadDemoData({ db: ctx.db, keys: ctx.keys, clock: ctx.now });
    expect(again.loaded).toBe(false);
  }, 180_000); // the whole demo (15,000+ accounts, a review campaign, access logs) on a shared, loaded machine
});
