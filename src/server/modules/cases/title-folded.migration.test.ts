import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { insertUnit, type TestContext } from '../../../../test/support/context.js';
import { openScratchDatabase } from '../../../../test/support/scratch-db.js';
import { migrateTo, migrateToLatest } from '../../db/migrator.js';
import { listCases } from './cases.repository.js';

/**
 * Migration 202611280400: cases stored before it get `title_folded` backfilled, and the title index (SQLite: the
 * trigram FTS5 table, refilled; PostgreSQL: trigram GIN) serves searches without diacritics over them.
 */
let scratch: Awaited<ReturnType<typeof openScratchDatabase>> | undefined;
afterAll(async () => scratch?.close());

describe('case titles folded for search (migration 202611280400)', () => {
  it('backfills the folded title of existing cases, and the search finds them without diacritics', async () => {
    scratch = await openScratchDatabase('khien_casefold');
    const { db, dialect } = scratch.handle;
    await migrateTo(db, dialect, '202611270410_index_case_title_search');
    const unit = await insertUnit({ db, now: () => Date.now() } as unknown as TestContext, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
    const titles = ['Thư lừa đảo giả danh Sở Tài chính', 'Máy chủ iOffice bị mã hoá', 'ĐĂNG NHẬP  trái phép hộp thư'];
    const now = new Date().toISOString();
    for (const [i, title] of titles.entries()) {
      await sql`insert into cases (id, number, title, description, severity, severity_rank, tlp, pap, category, phase, unit_id, unit_path, reportable, immediate, detected_at, affected_json, created_at, updated_at)
        values (${`019ac000-0000-7000-8000-00000000c00${i}`}, ${`SC-2026-000${i + 1}`}, ${title}, '', 'medium', 1, 'amber', 'amber', 'other', 'triage', ${unit.id}, ${unit.path}, 0, 0, ${now}, '{}', ${now}, ${now})`.execute(db);
    }
    await migrateToLatest(db, dialect);
    const rows = await db.selectFrom('cases').select(['number', 'title_folded']).orderBy('number').execute();
    expect(rows.map((r) => r.title_folded)).toEqual(['thu lua dao gia danh so tai chinh', 'may chu ioffice bi ma hoa', 'dang nhap trai phep hop thu']);
    const find = async (q: string) => (await listCases(db, { scope: [unit.path], q, dialect }, 1, 50)).rows.map((r) => r.number);
    expect(await find('lua dao')).toEqual(['SC-2026-0001']);
    expect(await find('mã hoá')).toEqual(['SC-2026-0002']);
    expect(await find('dang nhap trai')).toEqual(['SC-2026-0003']);
    expect(await find('SC-2026-0002')).toEqual(['SC-2026-0002']);
    // New and edited cases keep the index current through the re-created triggers (SQLite) / the GIN index.
    await db.updateTable('cases').set({ title: 'Tấn công từ chối dịch vụ', title_folded: 'tan cong tu choi dich vu' }).where('number', '=', 'SC-2026-0001').execute();
    expect(await find('lua dao')).toEqual([]);
    expect(await find('tu choi dich')).toEqual(['SC-2026-0001']);
  });
});
