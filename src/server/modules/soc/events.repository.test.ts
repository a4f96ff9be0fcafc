import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, type TestContext } from '../../../../test/support/context.js';
import { encodeEventFields, ensurePartitions, eventFields, insertEvents, purgeExpired, searchEvents, type StoredEvent } from './events.repository.js';

/**
 * The event store's insert path (prepared statements and the FTS5 rows written with each new event on SQLite;
 * multi-row INSERTs on PostgreSQL): replays are skipped and never duplicate a full-text hit, folded search
 * finds Vietnamese text typed without diacritics, and a purge removes events from the full-text index too.
 */
let ctx: TestContext;
let unitId: string;

function row(id: string, day: string, message: string, expires: string): StoredEvent {
  return {
    id, day, ts: `${day}T08:00:00.000Z`, received_at: `${day}T08:00:01.000Z`, source_id: null, unit_id: unitId, system_id: null, asset_id: null,
    host: 'srv-01', user_name: 'nguyenvana', source_ip: '10.0.0.5', action: 'ssh_login', outcome: 'failure', product: 'linux', service: 'sshd', code: null,
    message, fields_json: JSON.stringify({ message }), expires_on: expires,
  };
}

async function store(rows: StoredEvent[]): Promise<number> {
  await ensurePartitions(ctx.db, ctx.dialect, rows);
  return ctx.db.transaction().execute((tx) => insertEvents(ctx.db, tx, rows));
}

beforeAll(async () => {
  ctx = await createTestContext();
  unitId = (await insertUnit(ctx)).id;
});
afterAll(async () => {
  await ctx?.close();
});

describe('SOC event store', () => {
  it('stores new events once, skips replays, and finds them by folded full text exactly once', async () => {
    const rows = [
      row('e1', '2026-11-20', 'Đăng nhập thất bại cho người dùng quản trị', '2026-12-01'),
      row('e2', '2026-11-20', 'Failed password for root from 10.0.0.5', '2026-12-01'),
      row('e3', '2026-11-25', 'Đăng nhập thành công qua VPN', '2027-01-01'),
    ];
    expect(await store(rows)).toBe(3);
    // the same batch again (a replay after a crash) and one new event
    expect(await store([...rows, row('e4', '2026-11-25', 'Phiên làm việc kết thúc', '2027-01-01')])).toBe(1);
    const q = async (text: string) => (await searchEvents(ctx.db, ctx.dialect, { q: text, limit: 50, offset: 0 }, null)).items.map((r) => r.id).sort();
    expect(await q('dang nhap')).toEqual(['e1', 'e3']);
    expect(await q('ĐĂNG NHẬP thất bại')).toEqual(['e1']);
    expect(await q('password root')).toEqual(['e2']);
    expect((await searchEvents(ctx.db, ctx.dialect, { limit: 50, offset: 0 }, null)).total).toBe(4);
  });

  it('purges expired events from the table and the full-text index', async () => {
    expect(await purgeExpired(ctx.db, ctx.dialect, '2026-12-15')).toBe(2);
    const q = async (text: string) => (await searchEvents(ctx.db, ctx.dialect, { q: text, limit: 50, offset: 0 }, null)).items.map((r) => r.id).sort();
    expect(await q('dang nhap')).toEqual(['e3']);
    expect(await q('password')).toEqual([]);
    if (ctx.dialect === 'sqlite') {
      // the FTS5 index holds exactly the stored events (no row left over from the purge or the replay)
      const { sql } = await import('kysely');
      const n = await sql<{ n: number }>`select count(*) as n from soc_events_fts where soc_events_fts match 'dang OR password OR phien'`.execute(ctx.db);
      expect(Number(n.rows[0]!.n)).toBe(2);
    }
  });

  it('a rebuild of the full-text index indexes the same folded text as live inserts ("dang nhap" still finds "Đăng nhập")', async () => {
    expect(await store([row('e5', '2026-11-26', 'Đăng nhập trái phép vào hộp thư điện tử', '2027-01-01'), row('e6', '2026-11-26', 'Đổi mật khẩu tài khoản', '2027-01-01')])).toBe(2);
    const q = async (text: string) => (await searchEvents(ctx.db, ctx.dialect, { q: text, limit: 50, offset: 0 }, null)).items.map((r) => r.id).sort();
    const { sql } = await import('kysely');
    if (ctx.dialect === 'sqlite') {
      // The index agrees with its content (rank 1: compare against the content, not only internal consistency) …
      await sql`insert into soc_events_fts(soc_events_fts, rank) values ('integrity-check', 1)`.execute(ctx.db);
      // … and SQLite's own rebuild (an operator's repair, or FTS5's reaction to a corrupt index) gives the same index.
      await sql`insert into soc_events_fts(soc_events_fts) values ('rebuild')`.execute(ctx.db);
      await sql`insert into soc_events_fts(soc_events_fts, rank) values ('integrity-check', 1)`.execute(ctx.db);
    } else {
      // PostgreSQL: the GIN index is an expression over khien_fold(message); a REINDEX recomputes the same.
      await sql`reindex index soc_events_search_idx`.execute(ctx.db);
    }
    expect(await q('dang nhap')).toEqual(['e3', 'e5']);
    expect(await q('doi mat khau')).toEqual(['e6']);
    // After the rebuild, deleting events still removes exactly their entries.
    expect(await purgeExpired(ctx.db, ctx.dialect, '2027-02-01')).toBe(4);
    expect(await q('dang nhap')).toEqual([]);
    if (ctx.dialect === 'sqlite') await sql`insert into soc_events_fts(soc_events_fts, rank) values ('integrity-check', 1)`.execute(ctx.db);
  });

  it('stores the message once: fields_json refers to the message column, reads back the same event, field search sees through it', async () => {
    const line = '<38>1 2026-11-27T08:00:00.000Z srv-02 sshd 42 - - Failed password for root from 10.0.0.9 port 22 ssh2';
    const message = line.slice(line.indexOf('Failed'));
    const syslog = { '@timestamp': '2026-11-27T08:00:00.000Z', message, 'event.original': line, 'host.name': 'srv-02', 'process.pid': 42, 'user.name': 'root' };
    const text = { message: 'GET /index.html 200', 'event.original': 'GET /index.html 200', 'url.original': '/index.html' };
    const json = { 'event.original': '{"msg":"x"}', message: 'x y', tags: ['a', 'b'] };
    const noMessage = { 'user.name': 'quantri' };
    const oldForm = { message: 'Phiên cũ', 'event.original': '<13>Phiên cũ', 'user.name': 'cu' };
    const stored = [
      { ...row('f1', '2026-11-27', message, '2027-01-01'), fields_json: encodeEventFields(syslog) },
      { ...row('f2', '2026-11-27', text.message, '2027-01-01'), fields_json: encodeEventFields(text) },
      { ...row('f3', '2026-11-27', json.message, '2027-01-01'), fields_json: encodeEventFields(json) },
      { ...row('f4', '2026-11-27', '', '2027-01-01'), fields_json: encodeEventFields(noMessage) },
      // a row written before the reference form: the whole event as text
      { ...row('f5', '2026-11-27', oldForm.message, '2027-01-01'), fields_json: JSON.stringify(oldForm) },
    ];
    // the big strings are not repeated in fields_json, and encoding leaves the event as it was
    expect(stored[0]!.fields_json).not.toContain('Failed password');
    expect(syslog.message).toBe(message);
    expect(syslog['event.original']).toBe(line);
    expect(await store(stored)).toBe(5);
    const found = (await searchEvents(ctx.db, ctx.dialect, { ids: ['f1', 'f2', 'f3', 'f4', 'f5'], limit: 50, offset: 0 }, null)).items;
    const fields = new Map(found.map((r) => [r.id, eventFields(r)]));
    // the same event, key order included (the events page shows the JSON as stored)
    for (const [id, e] of [['f1', syslog], ['f2', text], ['f3', json], ['f4', noMessage], ['f5', oldForm]] as const) {
      expect(JSON.stringify(fields.get(id))).toBe(JSON.stringify(e));
    }
    const byField = async (name: string, value: string) => (await searchEvents(ctx.db, ctx.dialect, { field: { name, value }, limit: 50, offset: 0 }, null)).items.map((r) => r.id).sort();
    expect(await byField('event.original', line)).toEqual(['f1']);
    expect(await byField('event.original', text.message)).toEqual(['f2']);
    expect(await byField('event.original', '{"msg":"x"}')).toEqual(['f3']);
    expect(await byField('event.original', '<13>Phiên cũ')).toEqual(['f5']);
    expect(await byField('message', message)).toEqual(['f1']);
    expect(await byField('message', 'Phiên cũ')).toEqual(['f5']);
    expect(await byField('process.pid', '42')).toEqual(['f1']);
    expect(await byField('user.name', 'quantri')).toEqual(['f4']);
  });
});
