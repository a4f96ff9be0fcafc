import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, type TestContext } from '../../../../test/support/context.js';
import { testEnv } from '../../core/config.js';
import { sqliteConnection } from '../../db/database.js';
import { type EventWriter, startSqliteEventWriter } from './event-writer.js';
import { ensurePartitions, insertEvents, searchEvents, type StoredEvent } from './events.repository.js';

/**
 * The SQLite writer thread (event-writer.ts) stores what the pipeline's own transaction stores: new events once,
 * replays skipped, each new event in the folded full-text index. On PostgreSQL the pipeline keeps inserting in
 * its transaction; the same assertions hold there. An error in the thread fails the commit (the batch stays in
 * the spool) instead of hanging the pipeline.
 */
let ctx: TestContext;
let unitId: string;
let writer: EventWriter | null = null;

function row(id: string, message: string): StoredEvent {
  const day = '2026-11-25';
  return {
    id, day, ts: `${day}T08:00:00.000Z`, received_at: `${day}T08:00:01.000Z`, source_id: null, unit_id: unitId, system_id: null, asset_id: null,
    host: 'srv-01', user_name: 'nguyenvana', source_ip: '10.0.0.5', action: 'ssh_login', outcome: 'failure', product: 'linux', service: 'sshd', code: null,
    message, fields_json: JSON.stringify({ message }), expires_on: '2027-02-26',
  };
}

/** Store a batch the way the pipeline does on this dialect: SQLite through the thread (in two slices), PostgreSQL in a transaction. */
async function store(rows: StoredEvent[]): Promise<number> {
  if (writer) {
    writer.write(rows.slice(0, 2));
    writer.write(rows.slice(2));
    return writer.commit();
  }
  await ensurePartitions(ctx.db, ctx.dialect, rows);
  return ctx.db.transaction().execute((tx) => insertEvents(ctx.db, tx, rows));
}

beforeAll(async () => {
  ctx = await createTestContext();
  unitId = (await insertUnit(ctx)).id;
  const conn = sqliteConnection(ctx.db);
  if (conn) writer = startSqliteEventWriter(conn.name);
});
afterAll(async () => {
  await writer?.close();
  await ctx?.close();
});

describe('SOC event writer thread', () => {
  it('stores a batch once, skips a replay, and the new events are found by folded full text', async () => {
    const rows = [row('w1', 'Đăng nhập thất bại cho người dùng quản trị'), row('w2', 'Failed password for root'), row('w3', 'Đăng nhập thành công qua VPN')];
    expect(await store(rows)).toBe(3);
    expect(await store([...rows, row('w4', 'Phiên làm việc kết thúc')])).toBe(1);
    const q = async (text: string) => (await searchEvents(ctx.db, ctx.dialect, { q: text, limit: 50, offset: 0 }, null)).items.map((r) => r.id).sort();
    expect(await q('dang nhap')).toEqual(['w1', 'w3']);
    expect(await q('phien lam viec')).toEqual(['w4']);
    expect((await searchEvents(ctx.db, ctx.dialect, { limit: 50, offset: 0 }, null)).total).toBe(4);
  });

  it('a slice of many rows (inserted 50 to a statement) counts and indexes exactly the new ones, replays and repeats skipped', async () => {
    const many = Array.from({ length: 130 }, (_, i) => row(`m${String(i).padStart(3, '0')}`, `lô ${i} đăng ký hàng loạt`));
    // 40 already stored, then all 130 with a repeat of one of them inside the slice
    expect(await store(many.slice(0, 40))).toBe(40);
    expect(await store([...many.slice(0, 75), many[60]!, ...many.slice(75)])).toBe(90);
    const found = await searchEvents(ctx.db, ctx.dialect, { q: 'dang ky hang loat', limit: 500, offset: 0 }, null);
    expect(found.total).toBe(130);
    expect(new Set(found.items.map((r) => r.id)).size).toBe(130);
    expect((await searchEvents(ctx.db, ctx.dialect, { q: 'lo 129', limit: 5, offset: 0 }, null)).items.map((r) => r.id)).toEqual(['m129']);
  });

  it('stores every column of a row as written (values packed into one string cross to the thread)', async () => {
    const full: StoredEvent = {
      id: 'w9', day: '2026-11-26', ts: '2026-11-26T09:10:11.123Z', received_at: '2026-11-26T09:10:12.000Z', source_id: 'src-1', unit_id: unitId,
      system_id: 'sys-1', asset_id: 'ast-1', host: 'máy-chủ-01', user_name: 'trần.thị', source_ip: '2001:db8::7', action: 'ssh_login', outcome: 'success',
      product: 'linux', service: 'sshd', code: '4624', message: 'Đăng nhập 🔑 "ok"\n', fields_json: '{"message":{"ref":"message"},"a":"\\u0000"}', expires_on: '2027-02-25',
    };
    const empty: StoredEvent = { ...row('w10', ''), host: null, user_name: '', code: null };
    expect(await store([full, empty])).toBe(2);
    const got = (await searchEvents(ctx.db, ctx.dialect, { ids: ['w9', 'w10'], limit: 50, offset: 0 }, null)).items;
    for (const want of [full, empty]) {
      const { seq: _seq, ...stored } = got.find((r) => r.id === want.id)!;
      expect(stored).toEqual(want);
    }
  });

  it.skipIf(testEnv().db !== 'sqlite')('a failing batch rolls back and its commit fails; the next batch is stored', async () => {
    const bad = { ...row('w5', 'x'), message: null } as unknown as StoredEvent; // NOT NULL column
    writer!.write([row('w6', 'trước lỗi'), bad]);
    await expect(writer!.commit()).rejects.toThrow(/NOT NULL/);
    expect(await store([row('w6', 'sau lỗi'), row('w7', 'a'), row('w8', 'b')])).toBe(3);
    const ids = (await searchEvents(ctx.db, ctx.dialect, { limit: 500, offset: 0 }, null)).items.map((r) => r.id).sort();
    expect(ids.filter((id) => id.startsWith('w'))).toEqual(['w1', 'w10', 'w2', 'w3', 'w4', 'w6', 'w7', 'w8', 'w9']);
  });

  it.skipIf(testEnv().db !== 'sqlite')('a main-thread transaction that reads before it writes waits for the thread instead of failing', async () => {
    // db/database.ts begins SQLite transactions IMMEDIATE: a deferred one that read first failed with SQLITE_BUSY
    // ("database is locked") when the thread held the write lock at its first write (an audit record written
    // while events were being stored: a 500 on a file import).
    writer!.write(Array.from({ length: 3000 }, (_, i) => row(`lock${i}`, `khoá ${i}`)));
    await ctx.db.transaction().execute(async (tx) => {
      await tx.selectFrom('soc_spool_checkpoints').select('name').execute();
      await new Promise((r) => setTimeout(r, 30)); // the thread is storing the slice meanwhile
      await tx.insertInto('soc_spool_checkpoints').values({ name: 'lock-test', segment: 1, offset: 0, updated_at: '2026-11-26T00:00:00.000Z' }).execute();
    });
    expect(await writer!.commit()).toBe(3000);
    expect(await ctx.db.selectFrom('soc_spool_checkpoints').select('name').where('name', '=', 'lock-test').execute()).toHaveLength(1);
    await ctx.db.deleteFrom('soc_spool_checkpoints').where('name', '=', 'lock-test').execute();
  });

  it.skipIf(testEnv().db !== 'sqlite')('a thread that cannot start fails the commit instead of hanging, and closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'khien-writer-'));
    try {
      const broken = startSqliteEventWriter(join(dir, 'no-tables.db'));
      broken.write([row('z1', 'x')]);
      await expect(broken.commit()).rejects.toThrow(/soc_events/);
      expect(broken.failure?.message).toMatch(/soc_events/); // the runtime then stores on the main thread
      await expect(broken.commit()).rejects.toThrow(/soc_events/);
      await broken.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
