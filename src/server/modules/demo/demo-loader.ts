import { sql } from 'kysely';
import { foldVietnamese } from '../../core/text.js';
import { newId, nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import type { Keys } from '../../core/keys.js';
import { recordAudit } from '../../core/audit.js';
import { hashCitizenId, maskCitizenId } from '../org/citizen-id.js';
import { generateDemoData, type DemoUnit } from './demo-data.js';
import { loadDemoAccounts } from './demo-accounts.js';
import { loadDemoReviews } from './demo-reviews.js';
import { loadDemoCases } from './demo-cases.js';
import type { Config } from '../../core/config.js';

import { analyseDemoAccessLogs, loadDemoAccessLogs } from './demo-access-log.js';
import { loadDemoInventory } from './demo-inventory.js';
import { loadDemoVuln } from './demo-vuln.js';
import { insertDemoUsers } from './demo-users.js';
import { importRulesInto, readKhienRules } from '../rules/rules.service.js';

const BATCH = 400;

async function insertBatches<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await insert(rows.slice(i, i + BATCH));
}

/** Parents before children, so each unit's materialised path can be built from its parent's. */
function parentsFirst(units: DemoUnit[]): DemoUnit[] {
  const byKey = new Map(units.map((u) => [u.key, u]));
  const out: DemoUnit[] = [];
  const seen = new Set<string>();
  const visit = (u: DemoUnit) => {
    if (seen.has(u.key)) return;
    seen.add(u.key);
    if (u.parentKey) visit(byKey.get(u.parentKey)!);
    out.push(u);
  };
  units.forEach(visit);
  return out;
}

/**
 * Load the deterministic demo province (the new Gia Lai, with the former Bình Định and Gia Lai units merged
 * into it) into an EMPTY database, in one transaction. Used only by the embedded `khien start` / `khien demo`;
 * `khien serve` never loads it. Returns what was loaded, or loaded=false when the database already has units.
 */
export async function loadDemoData(rt: { db: Db; keys: Keys; clock: () => number; config?: Config }): Promise<{ loaded: boolean; units: number; people: number }> {
  const { db } = rt;
  const existing = await db.selectFrom('org_units').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  if (Number(existing.n) > 0) return { loaded: false, units: 0, people: 0 };
  const data = generateDemoData();
  const now = nowIso(rt.clock);
  await db.transaction().execute(async (tx: Tx) => {
    const ids = new Map<string, { id: string; path: string; depth: number }>();
    const unitRows = parentsFirst(data.units).map((u) => {
      const id = newId();
      const parent = u.parentKey ? ids.get(u.parentKey)! : null;
      const entry = { id, path: `${parent?.path ?? '/'}${id}/`, depth: parent ? parent.depth + 1 : 0 };
      ids.set(u.key, entry);
      return {
        id,
        code: u.code,
        name: u.name,
        short_name: u.shortName ?? null,
        type: u.type,
        parent_id: parent?.id ?? null,
        path: entry.path,
        depth: entry.depth,
        valid_from: u.validFrom,
        valid_to: u.validTo,
        merged_into_id: null,
        merged_on: u.mergedOn,
        merger_decision: u.mergerDecision,
        name_folded: foldVietnamese(u.name),
        created_at: now,
        updated_at: now,
      };
    });
    await insertBatches(unitRows, (chunk) => tx.insertInto('org_units').values(chunk).execute());
    // Lineage links after all units exist (a unit may be merged into one listed later).
    for (const u of data.units) {
      if (!u.mergedIntoKey) continue;
      await tx.updateTable('org_units').set({ merged_into_id: ids.get(u.mergedIntoKey)!.id }).where('id', '=', ids.get(u.key)!.id).execute();
    }
    const personIds = new Map<string, string>();
    const peopleRows = data.people.map((p) => {
      const id = newId();
      personIds.set(p.key, id);
      return {
        id,
        full_name: p.fullName,
        name_folded: foldVietnamese(p.fullName),
        citizen_id_hash: hashCitizenId(rt.keys, p.citizenId),
        citizen_id_masked: maskCitizenId(p.citizenId),
        date_of_birth: p.dateOfBirth,
        gender: p.gender,
        email: p.email,
        phone: p.phone,
        unit_id: ids.get(p.unitKey)!.id,
        position: p.position,
        status: p.status,
        status_since: p.statusSince,
        created_at: now,
        updated_at: now,
      };
    });
    await insertBatches(peopleRows, (chunk) => tx.insertInto('people').values(chunk).execute());
    const historyRows = data.people.flatMap((p) =>
      p.history.map((h) => ({
        id: newId(),
        person_id: personIds.get(p.key)!,
        status: h.status,
        unit_id: ids.get(h.unitKey)!.id,
        position: h.position,
        effective_from: h.effectiveFrom,
        decision: h.decision ?? null,
        note: h.note ?? null,
        recorded_at: now,
        recorded_by: null,
      })),
    );
    await insertBatches(historyRows, (chunk) => tx.insertInto('person_status_history').values(chunk).execute());
    const unitIds = new Map([...ids].map(([key, u]) => [key, u.id]));
    await insertDemoUsers(tx, data, unitIds, personIds, now);
    const inventory = await loadDemoInventory(tx, now);
    await loadDemoAccounts(tx, now);
    const reviews = await loadDemoReviews(tx, rt.keys, now);
    const accessLog = await loadDemoAccessLogs(tx, rt.keys, now);
    // Khiên's own Sigma rules always; SigmaHQ's are added by `khien start`/`khien demo` when the corpus is present.
    const rules = await importRulesInto(tx, null, readKhienRules(), 'khien', now, rt.clock);
    await recordAudit(tx, null, {
      action: 'demo.load',
      actorLabel: 'khien demo',
      details: { units: unitRows.length, people: peopleRows.length, history: historyRows.length, inventory, reviews, rules: rules.created, accessLog },
    }, now);
  });
  // Vulnerability scans go through the real importer, one transaction per import, after the province exists.
  await loadDemoVuln(rt);
  // Incident cases go through the case services (after the base data is committed): they need the data
  // directory for reports, so only runs that pass the configuration get them.
  if (rt.config) await loadDemoCases({ db, keys: rt.keys, config: rt.config, clock: rt.clock });

  // The look-up analytics read what the transaction wrote, so they run after it committed.
  await analyseDemoAccessLogs(db, rt.clock);
  return { loaded: true, units: data.units.length, people: data.people.length };
}
