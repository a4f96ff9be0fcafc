import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openScratchDatabase } from '../../../../test/support/scratch-db.js';
import { recordAudit } from '../../core/audit.js';
import { migrateTo, migrateToLatest } from '../../db/migrator.js';
import { CompactRange, encodeVerifierKey, generateSeed, parseVerifierKey, signerFromSeed } from '../../engines/merkle/index.js';
import { signCheckpoint } from './checkpoint.service.js';
import { alteredLogTables } from './log-docs.js';
import { accessLogLeafHash, auditEventLeafHash } from './merkle.leaf.js';
import { sequenceAuditEvents } from './merkle.service.js';
import { verifyDatabase } from './verify.service.js';

/**
 * Migration 202611290100: on SQLite the log tables are rebuilt as stored encodings. A log written before it still
 * verifies after it, with the same root; a record tampered with before it is still named; the values read back are
 * the ones stored; seq never repeats. On PostgreSQL the migration changes nothing, and the same holds.
 */
let scratch: Awaited<ReturnType<typeof openScratchDatabase>> | undefined;
afterAll(async () => scratch?.close());

describe('log records as stored encodings (migration 202611290100)', () => {
  it('keeps an existing log verifiable with the same root, still names a record tampered with before, and never reuses a seq', async () => {
    scratch = await openScratchDatabase('khien_logdocs');
    const { db, dialect } = scratch.handle;
    await migrateTo(db, dialect, '202611280401_soc_events_fts_folded_content');
    const texts = ['Nhật ký "kiểm toán"', 'a\\b', 'dòng 1\ndòng 2\ttab', 'Đắk Lắk – Gia Lai 🛡️', '{"k":"v"}', 'cuối'];
    for (const [i, text] of texts.entries()) {
      await db.insertInto('audit_events').values({
        id: `019ac000-0000-7000-8000-0000000000a${i}`, occurred_at: `2026-11-0${i + 1}T01:00:00.000Z`, action: 'test.before_upgrade', outcome: 'success',
        actor_user_id: null, actor_label: text, target_type: 'note', target_id: String(i), unit_id: null, ip: '10.0.0.1', user_agent: null,
        request_id: null, reason: i === 2 ? text : null, before_json: null, after_json: JSON.stringify({ text }), details_json: null,
      }).execute();
    }
    if (dialect === 'sqlite') {
      // Access-log records too (their batch and system are not needed for this: foreign keys off on this connection).
      await sql`pragma foreign_keys = off`.execute(db);
      for (const [i, text] of texts.slice(0, 3).entries()) {
        await db.insertInto('access_log_records').values({
          id: `019ac000-0000-7000-8000-0000000000b${i}`, batch_id: 'b', system_id: 's', external_id: `x-${i}`, account: text, action: 'lookup', outcome: 'success',
          occurred_at: `2026-11-0${i + 1}T02:00:00.000Z`, received_at: '2026-11-10T00:00:00.000Z', source: 'api', subject_hash: 'h', subject_masked: '0521****45',
          case_ref: null, ip: null, device: null, session_id: null, person_id: null, account_situation: 'active', account_mfa: i === 1 ? null : 1,
        }).execute();
      }
    }
    // One more entry, removed before it was sequenced: the highest seq handed out is above every stored one.
    await db.insertInto('audit_events').values({
      id: '019ac000-0000-7000-8000-0000000000ff', occurred_at: '2026-11-09T01:00:00.000Z', action: 'test.removed', outcome: 'success', actor_user_id: null,
      actor_label: null, target_type: null, target_id: null, unit_id: null, ip: null, user_agent: null, request_id: null, reason: null, before_json: null,
      after_json: null, details_json: null,
    }).execute();
    const removedSeq = Number((await db.selectFrom('audit_events').select('seq').where('action', '=', 'test.removed').executeTakeFirstOrThrow()).seq);
    await db.deleteFrom('audit_events').where('seq', '=', removedSeq).execute();
    // The log as the code before the upgrade wrote it: leaves hashed from the columns with the JavaScript encoder.
    const now = new Date().toISOString();
    const range = new CompactRange();
    const leaves = [
      ...(await db.selectFrom('audit_events').selectAll().orderBy('seq').execute()).map((r) => ({ source: 'audit_event', seq: Number(r.seq), id: r.id, hash: auditEventLeafHash(r) })),
      ...(await db.selectFrom('access_log_records').selectAll().orderBy('seq').execute()).map((r) => ({ source: 'access_log', seq: Number(r.seq), id: r.id, hash: accessLogLeafHash(r) })),
    ];
    for (const [i, l] of leaves.entries()) {
      range.append(l.hash);
      await db.insertInto('audit_log_leaves').values({ leaf_index: i, source: l.source, source_seq: l.seq, entry_id: l.id, leaf_hash: l.hash.toString('hex'), sequenced_at: now, pruned_at: null }).execute();
    }
    await db.insertInto('audit_log_state').values({ id: 'main', tree_size: range.size, compact_json: JSON.stringify(range.snapshot()), updated_at: now }).execute();
    const signer = signerFromSeed('test.khien/audit', generateSeed());
    await signCheckpoint(db, signer, { now, minIntervalSeconds: 0, force: true });
    const verifier = parseVerifierKey(encodeVerifierKey(signer.name, signer.publicKey));
    // One entry is tampered with before the upgrade.
    const seqs = (await db.selectFrom('audit_events').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));
    await db.updateTable('audit_events').set({ actor_label: 'người khác' }).where('seq', '=', seqs[1]!).execute();

    await migrateToLatest(db, dialect);
    const before = await verifyDatabase(db, verifier, signer.name);
    expect(before).toMatchObject({ treeSize: dialect === 'sqlite' ? 9 : 6 });
    // The root of the stored leaves is the signed one whatever the entries hold.
    expect(before.rootHash).toBe(range.root().toString('hex'));
    expect(before.findings).toEqual([expect.objectContaining({ kind: 'modified', seq: seqs[1] })]);
    const tampered = before;
    expect(await alteredLogTables(db)).toEqual([]);
    const rows = await db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
    expect(rows.map((r) => r.actor_label)).toEqual([texts[0], 'người khác', ...texts.slice(2)]);
    expect(rows[2]!.reason).toBe(texts[2]);
    expect(JSON.parse(rows[4]!.after_json!)).toEqual({ text: texts[4] });
    if (dialect === 'sqlite') {
      const access = await db.selectFrom('access_log_records').select(['account', 'account_mfa', 'subject_masked']).orderBy('seq').execute();
      expect(access).toEqual(texts.slice(0, 3).map((t, i) => ({ account: t, account_mfa: i === 1 ? null : 1, subject_masked: '0521****45' })));
    }

    // Put the tampered value back the only way left on SQLite (the stored record), then append after the upgrade.
    if (dialect === 'sqlite') await sql`update audit_events set doc = json_set(doc, '$.actor_label', ${texts[1]}) where seq = ${seqs[1]}`.execute(db);
    else await db.updateTable('audit_events').set({ actor_label: texts[1]! }).where('seq', '=', seqs[1]!).execute();
    expect(await verifyDatabase(db, verifier, signer.name)).toMatchObject({ ok: true, findings: [], rootHash: tampered.rootHash });
    await recordAudit(db, null, { action: 'test.after_upgrade', targetType: 'note', targetId: 'x' });
    const last = await db.selectFrom('audit_events').select('seq').where('action', '=', 'test.after_upgrade').executeTakeFirstOrThrow();
    expect(Number(last.seq)).toBeGreaterThan(removedSeq);
    await sequenceAuditEvents(db, { now, lateWindow: 0 });
    await signCheckpoint(db, signer, { now, minIntervalSeconds: 0, force: true });
    expect(await verifyDatabase(db, verifier, signer.name)).toMatchObject({ ok: true, findings: [] });
  });
});
