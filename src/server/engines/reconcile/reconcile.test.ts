import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReconcileReportSchema, type DatasetSpec } from '../../../contracts/reconcile.js';
import { testEnv } from '../../core/config.js';
import { ReconcileError } from './dataset.js';
import { reconcile } from './reconcile.js';

/**
 * Real PostgreSQL, MariaDB, SQLite, CSV and XLSX. PostgreSQL and MariaDB tests skip when the server is
 * unreachable, except under CI=true where they run (and fail).
 */
const ci = process.env.CI === 'true' || process.env.CI === '1';
const PG_URL = testEnv().postgresUrl;
const MY_URL = process.env.KHIEN_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

async function reachable(fn: () => Promise<void>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch {
    return false;
  }
}
const pgUp =
  ci ||
  (await reachable(async () => {
    const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1500 });
    await c.connect();
    await c.end();
  }));
const myUp =
  ci ||
  (await reachable(async () => {
    const c = await mysql.createConnection({ uri: MY_URL, connectTimeout: 1500 });
    await c.end();
  }));

const suffix = randomBytes(4).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'khien-reconcile-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NAMES = ['Nguyễn Văn An', 'Trần Thị Bích', 'Lê Hoàng Đức', 'Phạm Thị Hương', 'Rơ Chăm Yuih', 'Ksor H’Nhi', 'Đinh Quốc Việt'];
interface Person {
  id: number;
  name: string;
  amount: string; // numeric(12,2) text, e.g. "12.50"
  born: string; // yyyy-MM-dd
  updated: string; // UTC instant, "yyyy-MM-dd HH:mm:ss"
  active: boolean;
  note: string | null;
}
function people(n: number): Person[] {
  return Array.from({ length: n }, (_, i) => {
    const id = i + 1;
    const d = new Date(Date.UTC(1960 + (id % 50), id % 12, 1 + (id % 28)));
    return {
      id,
      name: `${NAMES[id % NAMES.length]} ${id}`,
      amount: `${(id * 37) % 10000}.${id % 2 ? '50' : '00'}`,
      born: d.toISOString().slice(0, 10),
      updated: `2025-07-01 ${String(id % 24).padStart(2, '0')}:15:00`,
      active: id % 3 !== 0,
      note: id % 5 === 0 ? null : `ghi chú ${id}`,
    };
  });
}
const COLUMNS = ['name', 'amount', 'born', 'updated', 'active', 'note'];
/** dd/MM/yyyy as Vietnamese exports write it. */
const vnDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
/** The same instant written in Vietnam's zone (+07). */
const plus7 = (utc: string) => {
  const t = new Date(`${utc.replace(' ', 'T')}Z`).getTime() + 7 * 3600_000;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')}+07:00`;
};
/** Decomposed (NFD) with doubled spaces: equal after normalisation. */
const messy = (s: string) => ` ${s.normalize('NFD').replace(/ /g, '  ')} `;

function expectValid(report: unknown): void {
  expect(() => ReconcileReportSchema.parse(report)).not.toThrow();
}

describe.runIf(pgUp)('PostgreSQL', () => {
  const schema = `reconcile_test_${suffix}`;
  let admin: pg.Client;
  const spec = (table: string, extra: Partial<DatasetSpec> = {}): DatasetSpec => ({ kind: 'postgres', url: PG_URL, table: `${schema}.${table}`, key: ['id'], columns: COLUMNS, ...extra });

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`SET search_path = ${schema}`);
    await admin.query(`CREATE TABLE src (id bigint PRIMARY KEY, name text, amount numeric(12,2), born date, updated timestamptz, active boolean, note text)`);
    const rows = people(300);
    for (const p of rows) {
      await admin.query('INSERT INTO src VALUES ($1,$2,$3,$4,$5,$6,$7)', [p.id, p.name, p.amount, p.born, `${p.updated}+00`, p.active, p.note]);
    }
    // A migrated copy with text columns, different spellings of the same values, and injected differences.
    await admin.query(`CREATE TABLE dst (id text PRIMARY KEY, name text, amount text, born text, updated text, active text, note text)`);
    for (const p of rows) {
      if (p.id === 5) continue; // missing
      const amount = p.id === 7 ? '999.99' : p.amount.replace(/\.00$/, '').replace(/\.50$/, '.5'); // 7 really changed
      await admin.query('INSERT INTO dst VALUES ($1,$2,$3,$4,$5,$6,$7)', [String(p.id), messy(p.name), amount, vnDate(p.born), plus7(p.updated), p.active ? 'true' : 'false', p.note ?? '']);
    }
    await admin.query(`INSERT INTO dst VALUES ('301', 'Người Thừa', '1', '01/01/2000', '2025-07-01 00:00:00+07', 't', NULL)`); // extra
    // Two big identical tables for range hashing, then one changed row.
    for (const t of ['big_a', 'big_b']) {
      await admin.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, name text, amount numeric(12,2), born date, updated timestamptz, active boolean, note text)`);
      await admin.query(`INSERT INTO ${t} SELECT g, 'Công dân số ' || g, (g % 9973) / 4.0, date '1950-01-01' + (g % 20000), timestamptz '2025-07-01 00:00:00+07' + g * interval '1 minute', g % 2 = 0, CASE WHEN g % 7 = 0 THEN NULL ELSE 'xã Ia Grai' END FROM generate_series(1, 20000) g`);
    }
    await admin.query(`CREATE TABLE dup (id bigint, name text, amount numeric, born date, updated timestamptz, active boolean, note text)`);
    await admin.query(`INSERT INTO dup (id, name) VALUES (1, 'a'), (2, 'b'), (2, 'b')`);
  });
  afterAll(async () => {
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
  });

  it('finds the missing, extra and changed rows and treats spelling differences as equal', async () => {
    const report = await reconcile(spec('src'), spec('dst'), { topBuckets: 8, fanout: 4, leafRows: 20 });
    expectValid(report);
    expect(report.mode).toBe('rows'); // text key on the target: no range hashing
    expect(report.counts).toEqual({ equal: 298, missing: 1, extra: 1, changed: 1 });
    expect(report.samples.missing).toEqual([{ id: '5' }]);
    expect(report.samples.extra).toEqual([{ id: '301' }]);
    expect(report.samples.changed).toEqual([{ key: { id: '7' }, columns: [{ column: 'amount', source: '259.5', target: '999.99' }] }]);
    expect(report.source.rowsRead).toBe(300);
    expect(report.target.rowsRead).toBe(300);
    expect(report.outcome).toBe('different');
  });

  it('confirms equal ranges in the database and reads only the differing one', async () => {
    const equal = await reconcile(spec('big_a'), spec('big_b'), { topBuckets: 64, fanout: 16, leafRows: 100 });
    expect(equal.mode).toBe('range-hash');
    expect(equal.outcome).toBe('equal');
    expect(equal.counts.equal).toBe(20000);
    expect(equal.source.rowsRead + equal.target.rowsRead).toBe(0);

    await admin.query(`UPDATE big_b SET name = 'Công dân số 12345 (sửa)' WHERE id = 12345`);
    const progress: string[] = [];
    const report = await reconcile(spec('big_a'), spec('big_b'), { topBuckets: 64, fanout: 16, leafRows: 100, onProgress: (p) => progress.push(p.phase) });
    expectValid(report);
    expect(report.counts).toEqual({ equal: 19999, missing: 0, extra: 0, changed: 1 });
    expect(report.samples.changed).toEqual([{ key: { id: '12345' }, columns: [{ column: 'name', source: 'Công dân số 12345', target: 'Công dân số 12345 (sửa)' }] }]);
    expect(report.ranges.skipped).toBeGreaterThan(60);
    expect(report.ranges.rowsSkipped).toBeGreaterThan(19_800);
    expect(report.source.rowsRead).toBeLessThan(100); // far fewer than the 20,000 rows in the table
    expect(report.target.rowsRead).toBeLessThan(100);
    expect(progress).toContain('ranges');

    // The same pair streamed row by row agrees.
    const rows = await reconcile(spec('big_a'), spec('big_b'), { rangeHash: false });
    expect(rows.counts).toEqual(report.counts);
    expect(rows.source.rowsRead).toBe(20000);
  });

  it('finds a missing and an extra row at the ends of the key space in range mode', async () => {
    await admin.query(`DELETE FROM big_b WHERE id = 1`);
    await admin.query(`INSERT INTO big_b (id, name) VALUES (25000, 'thừa')`);
    const report = await reconcile(spec('big_a'), spec('big_b'), { topBuckets: 64, fanout: 16, leafRows: 100 });
    expect(report.counts).toEqual({ equal: 19998, missing: 1, extra: 1, changed: 1 });
    expect(report.samples.missing).toEqual([{ id: '1' }]);
    expect(report.samples.extra).toEqual([{ id: '25000' }]);
  });

  it('range-hashes a text key and a composite (text, integer) key, cutting ranges at source keys', async () => {
    // Vietnamese codes; every 50th has diacritics (multi-byte UTF-8, sorted by bytes on both sides).
    const code = `'HS-' || lpad(g::text, 6, '0') || CASE WHEN g % 50 = 0 THEN '-Đắk Đoa' ELSE '' END`;
    const unit = `(ARRAY['GL-ĐAKĐOA', 'BĐ-QUYNHON', 'KT-ĐĂKTÔ', 'Ia-Grai', 'gl-pleiku', 'Ấp-Mới', 'HS-A', 'HS-Ă'])[g % 8 + 1]`;
    const cols = `name text, amount numeric(12,2), born date, updated timestamptz, active boolean, note text`;
    const vals = `'Công dân số ' || g, (g % 9973) / 4.0, date '1950-01-01' + (g % 20000), timestamptz '2025-07-01 00:00:00+07' + g * interval '1 minute', g % 2 = 0, CASE WHEN g % 7 = 0 THEN NULL ELSE 'xã Ia Grai' END`;
    for (const t of ['txt_a', 'txt_b']) {
      await admin.query(`CREATE TABLE ${t} (ma varchar(40) PRIMARY KEY, ${cols})`);
      await admin.query(`INSERT INTO ${t} SELECT ${code}, ${vals} FROM generate_series(1, 20000) g`);
    }
    for (const t of ['comp_a', 'comp_b']) {
      await admin.query(`CREATE TABLE ${t} (unit text, seq integer, ${cols}, PRIMARY KEY (unit, seq))`);
      await admin.query(`INSERT INTO ${t} SELECT ${unit}, g / 8 + 1, ${vals} FROM generate_series(1, 20000) g`);
    }
    const opts = { topBuckets: 64, fanout: 16, leafRows: 100 };
    const txt = (t: string) => spec(t, { key: ['ma'] });
    const comp = (t: string) => spec(t, { key: ['unit', 'seq'] });

    for (const [a, b] of [[txt('txt_a'), txt('txt_b')], [comp('comp_a'), comp('comp_b')]] as const) {
      const equal = await reconcile(a, b, opts);
      expectValid(equal);
      expect(equal.mode).toBe('range-hash');
      expect(equal.outcome).toBe('equal');
      expect(equal.counts.equal).toBe(20000);
      expect(equal.ranges.skipped).toBe(equal.ranges.compared);
      expect(equal.source.rowsRead + equal.target.rowsRead).toBe(0);
    }

    await admin.query(`UPDATE txt_b SET name = 'sửa' WHERE ma = 'HS-012345'`);
    await admin.query(`DELETE FROM txt_b WHERE ma = 'HS-007000-Đắk Đoa'`);
    await admin.query(`INSERT INTO txt_b (ma, name) VALUES ('AA-000001', 'trước'), ('HS-010000-Đắk Đoa-2', 'giữa'), ('Ấp-999', 'sau')`);
    const t = await reconcile(txt('txt_a'), txt('txt_b'), opts);
    expectValid(t);
    expect(t.mode).toBe('range-hash');
    expect(t.counts).toEqual({ equal: 19998, missing: 1, extra: 3, changed: 1 });
    expect(t.samples.missing).toEqual([{ ma: 'HS-007000-Đắk Đoa' }]);
    expect(t.samples.extra).toEqual([{ ma: 'AA-000001' }, { ma: 'HS-010000-Đắk Đoa-2' }, { ma: 'Ấp-999' }]);
    expect(t.samples.changed).toEqual([{ key: { ma: 'HS-012345' }, columns: [{ column: 'name', source: 'Công dân số 12345', target: 'sửa' }] }]);
    expect(t.source.rowsRead).toBeLessThan(500); // far fewer than the 20,000 rows in the table
    expect(t.target.rowsRead).toBeLessThan(500);
    expect((await reconcile(txt('txt_a'), txt('txt_b'), { rangeHash: false })).counts).toEqual(t.counts);

    await admin.query(`UPDATE comp_b SET note = 'khác' WHERE unit = 'KT-ĐĂKTÔ' AND seq = 1001`);
    await admin.query(`DELETE FROM comp_b WHERE unit = 'Ia-Grai' AND seq = 9`);
    await admin.query(`INSERT INTO comp_b (unit, seq, name) VALUES ('AA', 1, 'trước'), ('Ia-Grai', 999999, 'giữa'), ('Ấp-Mới', 2502, 'sau')`);
    const c = await reconcile(comp('comp_a'), comp('comp_b'), opts);
    expectValid(c);
    expect(c.mode).toBe('range-hash');
    expect(c.counts).toEqual({ equal: 19998, missing: 1, extra: 3, changed: 1 });
    expect(c.samples.missing).toEqual([{ unit: 'Ia-Grai', seq: '9' }]);
    expect(c.samples.extra).toEqual([
      { unit: 'AA', seq: '1' },
      { unit: 'Ia-Grai', seq: '999999' },
      { unit: 'Ấp-Mới', seq: '2502' },
    ]);
    expect(c.samples.changed).toEqual([{ key: { unit: 'KT-ĐĂKTÔ', seq: '1001' }, columns: [{ column: 'note', source: 'xã Ia Grai', target: 'khác' }] }]);
    expect(c.source.rowsRead).toBeLessThan(500);
    expect(c.target.rowsRead).toBeLessThan(500);
    expect((await reconcile(comp('comp_a'), comp('comp_b'), { rangeHash: false })).counts).toEqual(c.counts);
  });

  it('falls back to streaming rows when most ranges differ only in spelling', async () => {
    // Every timestamp written as text in +07: each row's database text differs, every value is equal.
    await admin.query(`SET TimeZone = 'Asia/Ho_Chi_Minh'`);
    await admin.query(`CREATE TABLE big_c AS SELECT id, name, amount, born, updated::text AS updated, active, note FROM big_a`);
    await admin.query(`ALTER TABLE big_c ADD PRIMARY KEY (id)`);
    const report = await reconcile(spec('big_a'), spec('big_c'), { topBuckets: 64, fanout: 16, leafRows: 100 });
    expect(report.mode).toBe('rows');
    expect(report.ranges.compared).toBe(64);
    expect(report.counts).toEqual({ equal: 20000, missing: 0, extra: 0, changed: 0 });
    expect(report.source.rowsRead).toBe(20000);
  });

  it('rejects a duplicated key naming the dataset and the key', async () => {
    const err = await reconcile(spec('dup'), spec('src')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReconcileError);
    expect((err as ReconcileError).code).toBe('reconcile.duplicate_key');
    expect((err as ReconcileError).message).toContain(`${schema}.dup`);
    expect((err as ReconcileError).details).toMatchObject({ side: 'source', key: ['2'] });
  });

  it('names a missing column and the dataset, and a failed connection without its URL', async () => {
    const err = await reconcile(spec('src'), spec('dst', { columnMap: { born: 'ngay_sinh' } })).catch((e: unknown) => e);
    expect((err as ReconcileError).code).toBe('reconcile.column_not_found');
    expect((err as ReconcileError).details).toMatchObject({ side: 'target', column: 'ngay_sinh' });
    const bad = await reconcile(spec('src'), { ...spec('dst'), url: 'postgres://postgres:secret@127.0.0.1:1/x' }).catch((e: unknown) => e);
    expect((bad as ReconcileError).code).toBe('reconcile.connection_failed');
    expect((bad as ReconcileError).message).not.toContain('secret');
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await reconcile(spec('big_a'), spec('big_b'), { signal: ac.signal }).catch((e: unknown) => e);
    expect((err as ReconcileError).code).toBe('reconcile.aborted');
  });
});

describe.runIf(myUp)('MariaDB', () => {
  const table = `reconcile_${suffix}`;
  let conn: mysql.Connection;
  const rows = people(250);
  const mySpec = (t: string): DatasetSpec => ({ kind: 'mysql', url: MY_URL, table: t, key: ['id'], columns: COLUMNS });

  beforeAll(async () => {
    conn = await mysql.createConnection({ uri: MY_URL });
    for (const t of [table, `${table}_b`]) {
      await conn.query(`CREATE TABLE ${t} (id INT PRIMARY KEY, name VARCHAR(200) CHARACTER SET utf8mb4, amount DECIMAL(12,2), born DATE, updated DATETIME, active TINYINT(1), note VARCHAR(200))`);
      await conn.query(`INSERT INTO ${t} VALUES ?`, [rows.map((p) => [p.id, p.name, p.amount, p.born, p.updated, p.active ? 1 : 0, p.note])]);
    }
  });
  afterAll(async () => {
    await conn?.query(`DROP TABLE IF EXISTS ${table}, ${table}_b`);
    await conn?.end();
  });

  it('reconciles a MariaDB table against its CSV export (renamed column, shuffled, spilled sort)', async () => {
    // The export: Vietnamese dates, decimal commas, decomposed names, ';' separated, rows shuffled.
    const lines = ['ma;ho_ten;amount;born;updated;active;note'];
    const exported = rows.filter((p) => p.id !== 42).map((p) => (p.id === 100 ? { ...p, born: '1999-12-31' } : p));
    exported.push({ id: 251, name: 'Thừa', amount: '1', born: '2000-01-01', updated: '2025-07-01 00:00:00', active: true, note: null });
    exported.sort((a, b) => ((a.id * 7919) % 251) - ((b.id * 7919) % 251));
    for (const p of exported) {
      lines.push([p.id, `"${messy(p.name)}"`, p.amount.replace('.', ','), vnDate(p.born), p.updated, p.active ? 'TRUE' : 'FALSE', p.note ?? ''].join(';'));
    }
    const csv = join(dir, 'export.csv');
    writeFileSync(csv, `\ufeff${lines.join('\r\n')}\r\n`);
    const report = await reconcile(mySpec(table), { kind: 'csv', path: csv, key: ['id'], columns: COLUMNS, columnMap: { id: 'ma', name: 'ho_ten' } }, { sortRunRows: 16, normalise: { decimalComma: true } });
    expectValid(report);
    expect(report.counts).toEqual({ equal: 248, missing: 1, extra: 1, changed: 1 });
    expect(report.samples.missing).toEqual([{ id: '42' }]);
    expect(report.samples.extra).toEqual([{ id: '251' }]);
    expect(report.samples.changed).toEqual([{ key: { id: '100' }, columns: [{ column: 'born', source: rows[99]!.born, target: '1999-12-31' }] }]);
    expect(report.target.rowsRead).toBe(250);
  });

  it('uses range hashing between two MariaDB tables', async () => {
    const equal = await reconcile(mySpec(table), mySpec(`${table}_b`), { topBuckets: 16, fanout: 4, leafRows: 20 });
    expect(equal.mode).toBe('range-hash');
    expect(equal.counts).toEqual({ equal: 250, missing: 0, extra: 0, changed: 0 });
    expect(equal.source.rowsRead).toBe(0);
    await conn.query(`UPDATE ${table}_b SET note = NULL WHERE id = 77`);
    const report = await reconcile(mySpec(table), mySpec(`${table}_b`), { topBuckets: 16, fanout: 4, leafRows: 20 });
    expect(report.counts).toEqual({ equal: 249, missing: 0, extra: 0, changed: 1 });
    expect(report.samples.changed[0]).toEqual({ key: { id: '77' }, columns: [{ column: 'note', source: 'ghi chú 77', target: null }] });
    expect(report.source.rowsRead).toBeLessThan(40);
  });

  it('range-hashes a text key and a composite (text, integer) key between two MariaDB tables', async () => {
    const code = `CONCAT('HS-', LPAD(seq, 6, '0'), IF(seq % 50 = 0, '-Đắk Đoa', ''))`;
    const unit = `ELT(seq % 8 + 1, 'GL-ĐAKĐOA', 'BĐ-QUYNHON', 'KT-ĐĂKTÔ', 'Ia-Grai', 'gl-pleiku', 'Ấp-Mới', 'HS-A', 'HS-Ă')`;
    const cols = `name VARCHAR(200) CHARACTER SET utf8mb4, amount DECIMAL(12,2), born DATE, updated DATETIME, active TINYINT(1), note VARCHAR(200) CHARACTER SET utf8mb4`;
    const vals = `CONCAT('Công dân số ', seq), (seq % 9973) / 4, DATE '1950-01-01' + INTERVAL (seq % 20000) DAY, TIMESTAMP '2025-07-01 00:00:00' + INTERVAL seq MINUTE, seq % 2 = 0, IF(seq % 7 = 0, NULL, 'xã Ia Grai')`;
    const tx = `${table}_tx`;
    const cp = `${table}_cp`;
    try {
      for (const t of [tx, `${tx}_b`]) {
        // A case- and accent-insensitive collation: ranges must still be cut and compared by bytes.
        await conn.query(`CREATE TABLE ${t} (ma VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci PRIMARY KEY, ${cols})`);
        await conn.query(`INSERT INTO ${t} SELECT ${code}, ${vals} FROM seq_1_to_20000`);
      }
      for (const t of [cp, `${cp}_b`]) {
        await conn.query(`CREATE TABLE ${t} (unit VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, seq INT, ${cols}, PRIMARY KEY (unit, seq))`);
        await conn.query(`INSERT INTO ${t} SELECT ${unit}, seq DIV 8 + 1, ${vals} FROM seq_1_to_20000`);
      }
      const opts = { topBuckets: 64, fanout: 16, leafRows: 100 };
      const txt = (t: string): DatasetSpec => ({ ...mySpec(t), key: ['ma'] });
      const comp = (t: string): DatasetSpec => ({ ...mySpec(t), key: ['unit', 'seq'] });
      for (const [a, b] of [[txt(tx), txt(`${tx}_b`)], [comp(cp), comp(`${cp}_b`)]] as const) {
        const equal = await reconcile(a, b, opts);
        expectValid(equal);
        expect(equal.mode).toBe('range-hash');
        expect(equal.counts).toEqual({ equal: 20000, missing: 0, extra: 0, changed: 0 });
        expect(equal.ranges.skipped).toBe(equal.ranges.compared);
        expect(equal.source.rowsRead + equal.target.rowsRead).toBe(0);
      }

      await conn.query(`UPDATE ${tx}_b SET name = 'sửa' WHERE ma = 'HS-012345'`);
      await conn.query(`DELETE FROM ${tx}_b WHERE ma = 'HS-007000-Đắk Đoa'`);
      await conn.query(`INSERT INTO ${tx}_b (ma, name) VALUES ('AA-000001', 'trước'), ('HS-010000-Đắk Đoa-2', 'giữa'), ('Ấp-999', 'sau')`);
      const t = await reconcile(txt(tx), txt(`${tx}_b`), opts);
      expectValid(t);
      expect(t.mode).toBe('range-hash');
      expect(t.counts).toEqual({ equal: 19998, missing: 1, extra: 3, changed: 1 });
      expect(t.samples.missing).toEqual([{ ma: 'HS-007000-Đắk Đoa' }]);
      expect(t.samples.extra).toEqual([{ ma: 'AA-000001' }, { ma: 'HS-010000-Đắk Đoa-2' }, { ma: 'Ấp-999' }]);
      expect(t.samples.changed).toEqual([{ key: { ma: 'HS-012345' }, columns: [{ column: 'name', source: 'Công dân số 12345', target: 'sửa' }] }]);
      expect(t.source.rowsRead).toBeLessThan(500); // far fewer than the 20,000 rows in the table
      expect(t.target.rowsRead).toBeLessThan(500);
      expect((await reconcile(txt(tx), txt(`${tx}_b`), { rangeHash: false })).counts).toEqual(t.counts);

      await conn.query(`UPDATE ${cp}_b SET note = 'khác' WHERE unit = 'KT-ĐĂKTÔ' AND seq = 1001`);
      await conn.query(`DELETE FROM ${cp}_b WHERE unit = 'HS-Ă' AND seq = 9`);
      await conn.query(`INSERT INTO ${cp}_b (unit, seq, name) VALUES ('AA', 1, 'trước'), ('HS-A', 999999, 'giữa'), ('Ấp-Mới', 2502, 'sau')`);
      const c = await reconcile(comp(cp), comp(`${cp}_b`), opts);
      expectValid(c);
      expect(c.mode).toBe('range-hash');
      expect(c.counts).toEqual({ equal: 19998, missing: 1, extra: 3, changed: 1 });
      expect(c.samples.missing).toEqual([{ unit: 'HS-Ă', seq: '9' }]);
      expect(c.samples.extra).toEqual([
        { unit: 'AA', seq: '1' },
        { unit: 'HS-A', seq: '999999' },
        { unit: 'Ấp-Mới', seq: '2502' },
      ]);
      expect(c.samples.changed).toEqual([{ key: { unit: 'KT-ĐĂKTÔ', seq: '1001' }, columns: [{ column: 'note', source: 'xã Ia Grai', target: 'khác' }] }]);
      expect(c.source.rowsRead).toBeLessThan(500);
      expect(c.target.rowsRead).toBeLessThan(500);
      expect((await reconcile(comp(cp), comp(`${cp}_b`), { rangeHash: false })).counts).toEqual(c.counts);
    } finally {
      await conn.query(`DROP TABLE IF EXISTS ${tx}, ${tx}_b, ${cp}, ${cp}_b`);
    }
  });

  it.runIf(pgUp)('compares MariaDB with PostgreSQL row by row (different engines)', async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const schema = `reconcile_my_${suffix}`;
    try {
      await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id integer PRIMARY KEY, name text, amount numeric, born date, updated timestamp, active boolean, note text)`);
      for (const p of rows) await admin.query(`INSERT INTO ${schema}.t VALUES ($1,$2,$3,$4,$5,$6,$7)`, [p.id, p.name, p.amount, p.born, p.updated, p.active, p.note]);
      const report = await reconcile(mySpec(table), { kind: 'postgres', url: PG_URL, table: `${schema}.t`, key: ['id'], columns: COLUMNS });
      expect(report.mode).toBe('rows');
      expect(report.counts).toEqual({ equal: 250, missing: 0, extra: 0, changed: 0 });
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });
});

describe('SQLite and files', () => {
  const dbPath = join(dir, 'units.db');
  const keyed = [
    { unit: 'GL-ĐAKĐOA', seq: 2, name: 'Phòng Văn hóa', opened: '2025-07-01 08:00:00', staff: 12 },
    { unit: 'GL-ĐAKĐOA', seq: 10, name: 'Phòng Nội vụ', opened: '2025-07-01 08:00:00', staff: 8 },
    { unit: 'BĐ-QUYNHON', seq: 1, name: 'Sở Tài chính', opened: '2025-07-01 09:30:00', staff: 40 },
    { unit: 'Z-ẤP', seq: 1, name: 'Ấp Mới', opened: '2025-07-02 00:00:00', staff: 3 },
    { unit: 'a-lower', seq: 1, name: 'chữ thường', opened: '2025-07-03 10:00:00', staff: 1 },
  ];
  const spec: DatasetSpec = { kind: 'sqlite', path: dbPath, table: 'don_vi', key: ['unit', 'seq'], columns: ['name', 'opened', 'staff'] };

  beforeAll(() => {
    const db = new Database(dbPath);
    db.exec('CREATE TABLE don_vi (unit TEXT, seq INTEGER, name TEXT, opened TEXT, staff INTEGER, PRIMARY KEY (unit, seq))');
    const ins = db.prepare('INSERT INTO don_vi VALUES (?, ?, ?, ?, ?)');
    for (const r of keyed) ins.run(r.unit, r.seq, r.name, r.opened, r.staff);
    db.close();
  });

  it('reconciles a SQLite table with a composite text key against an XLSX with typed cells', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Khác').addRow(['không liên quan']);
    const ws = wb.addWorksheet('Đơn vị');
    ws.addRow(['STAFF', 'Unit', 'Seq', 'Name', 'Opened']);
    for (const r of [...keyed].reverse()) {
      if (r.unit === 'Z-ẤP') continue; // missing
      const opened = new Date(`${r.opened.replace(' ', 'T')}Z`); // an Excel date cell, zone-less wall clock
      ws.addRow([r.seq === 10 ? 9 : r.staff, r.unit.normalize('NFD'), r.seq, r.name, opened]); // seq 10: staff changed
    }
    ws.addRow([5, 'BĐ-QUYNHON', 2, 'Sở Mới', new Date('2025-07-04T00:00:00Z')]); // extra
    const xlsx = join(dir, 'don-vi.xlsx');
    await wb.xlsx.writeFile(xlsx);
    const report = await reconcile(spec, { kind: 'xlsx', path: xlsx, sheet: 'Đơn vị', key: ['unit', 'seq'], columns: ['name', 'opened', 'staff'] });
    expectValid(report);
    expect(report.counts).toEqual({ equal: 3, missing: 1, extra: 1, changed: 1 });
    expect(report.samples.missing).toEqual([{ unit: 'Z-ẤP', seq: '1' }]);
    expect(report.samples.extra).toEqual([{ unit: 'BĐ-QUYNHON', seq: '2' }]);
    expect(report.samples.changed).toEqual([{ key: { unit: 'GL-ĐAKĐOA', seq: '10' }, columns: [{ column: 'staff', source: '8', target: '9' }] }]);
  });

  it('reports equal datasets as equal, and a duplicated key in a CSV as an error', async () => {
    const lines = ['unit,seq,name,opened,staff', ...keyed.map((r) => `${r.unit},${r.seq},${r.name},${r.opened},${r.staff}`)];
    const csv = join(dir, 'units.csv');
    writeFileSync(csv, lines.join('\n'));
    const same = await reconcile(spec, { kind: 'csv', path: csv, key: spec.key, columns: spec.columns }, { sortRunRows: 2 });
    expect(same.outcome).toBe('equal');
    expect(same.counts.equal).toBe(5);

    writeFileSync(csv, [...lines, lines[1]].join('\n'));
    const err = await reconcile(spec, { kind: 'csv', path: csv, key: spec.key, columns: spec.columns }, { sortRunRows: 2 }).catch((e: unknown) => e);
    expect((err as ReconcileError).code).toBe('reconcile.duplicate_key');
    expect((err as ReconcileError).details).toMatchObject({ side: 'target', columns: ['unit', 'seq'], key: ['GL-ĐAKĐOA', '2'] });
  });

  it('fails loudly when normalisation changes the key order instead of reporting false differences', async () => {
    const path = join(dir, 'spaces.db');
    const db = new Database(path);
    db.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT); INSERT INTO t VALUES (' b', '1'), ('a', '2')");
    db.close();
    const csv = join(dir, 'spaces.csv');
    writeFileSync(csv, 'k,v\na,2\nb,1\n');
    const err = await reconcile({ kind: 'sqlite', path, table: 't', key: ['k'], columns: ['v'] }, { kind: 'csv', path: csv, key: ['k'], columns: ['v'] }).catch((e: unknown) => e);
    expect((err as ReconcileError).code).toBe('reconcile.key_order');
    expect((err as ReconcileError).details).toMatchObject({ side: 'source', columns: ['k'] });
  });

  it('stops a running comparison when aborted from progress, and cleans up', async () => {
    const lines = ['unit,seq,name,opened,staff'];
    for (let i = 0; i < 30_000; i++) lines.push(`U${i},${i},n,2025-07-01,1`);
    const csv = join(dir, 'big.csv');
    writeFileSync(csv, lines.join('\n'));
    const ac = new AbortController();
    const target: DatasetSpec = { kind: 'csv', path: csv, key: ['unit', 'seq'], columns: ['name'] };
    const err = await reconcile({ ...target }, target, { signal: ac.signal, batchSize: 1000, sortRunRows: 5000, onProgress: () => ac.abort() }).catch((e: unknown) => e);
    expect((err as ReconcileError).code).toBe('reconcile.aborted');
  });

  it('names a declared key column the file does not have', async () => {
    const csv = join(dir, 'nokey.csv');
    writeFileSync(csv, 'unit,name,opened,staff\nx,y,z,1\n');
    const err = await reconcile(spec, { kind: 'csv', path: csv, key: spec.key, columns: spec.columns }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReconcileError);
    expect((err as ReconcileError).code).toBe('reconcile.column_not_found');
    expect((err as ReconcileError).message).toContain('"seq"');
    expect((err as ReconcileError).details).toMatchObject({ side: 'target', column: 'seq' });
  });
});
