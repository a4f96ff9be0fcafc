import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { DatasetSpec, ReconcileReport } from '../src/contracts/reconcile.js';
import { reconcile } from '../src/server/engines/reconcile/reconcile.js';

/**
 * Data-sync reconciliation of two PostgreSQL tables (issue 3, item 5): N rows each (default 10,000,000),
 * differing in 100 rows (34 missing, 33 extra, 33 changed), and the same pair while still equal. Baseline in
 * the same process: a plain `SELECT` of both tables streamed through server-side cursors into Node (the
 * floor for any comparison that moves rows). Peak RSS is sampled every 20 ms per phase.
 *
 * `npm run bench -- reconcile [rows] [--rows-mode]` — `--rows-mode` also times the row-streaming merge
 * (range hashing off), which reads every row of both tables.
 */
const URL = process.env.KHIEN_BENCH_POSTGRES_URL ?? process.env.KHIEN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const COLUMNS = ['ho_ten', 'so_tien', 'ngay_sinh', 'cap_nhat', 'kich_hoat', 'ghi_chu'];

interface Measured<T> {
  value: T;
  seconds: number;
  peakRssMb: number;
}

async function measure<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const t0 = performance.now();
  try {
    const value = await fn();
    return { value, seconds: (performance.now() - t0) / 1000, peakRssMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** Read a whole table through a cursor, as the row-streaming engine does, without comparing anything. */
async function streamAll(table: string): Promise<number> {
  const client = new pg.Client({ connectionString: URL, types: { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`DECLARE c NO SCROLL CURSOR FOR SELECT id, ${COLUMNS.join(', ')} FROM ${table} ORDER BY id`);
    let n = 0;
    for (;;) {
      const r = await client.query({ text: 'FETCH 5000 FROM c', rowMode: 'array' });
      if (r.rows.length === 0) break;
      n += r.rows.length;
    }
    await client.query('COMMIT');
    return n;
  } finally {
    await client.end();
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');
function line(name: string, m: Measured<ReconcileReport>, floor: number): void {
  const r = m.value;
  console.log(
    `${name}: ${m.seconds.toFixed(2)} s | peak RSS ${m.peakRssMb.toFixed(0)} MB | ÷ floor ${(m.seconds / floor).toFixed(2)}× | mode ${r.mode} | ` +
      `equal ${fmt(r.counts.equal)} missing ${r.counts.missing} extra ${r.counts.extra} changed ${r.counts.changed} | ` +
      `rows read ${fmt(r.source.rowsRead)} + ${fmt(r.target.rowsRead)} | ranges compared ${fmt(r.ranges.compared)}, skipped ${fmt(r.ranges.skipped)} (${fmt(r.ranges.rowsSkipped)} rows)`,
  );
}

export async function run(): Promise<void> {
  const args = process.argv.slice(3);
  const rows = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000_000);
  const rowsMode = args.includes('--rows-mode');
  const schema = `bench_reconcile_${process.pid}`;
  const admin = new pg.Client({ connectionString: URL });
  await admin.connect();
  try {
    console.log(`input: 2 PostgreSQL tables × ${fmt(rows)} rows (id bigint PK, Vietnamese text, numeric, date, timestamptz, boolean, nullable text)`);
    const setup = performance.now();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`SET search_path = ${schema}`);
    await admin.query(`CREATE UNLOGGED TABLE a (id bigint, ho_ten text, so_tien numeric(14,2), ngay_sinh date, cap_nhat timestamptz, kich_hoat boolean, ghi_chu text)`);
    await admin.query(
      `INSERT INTO a SELECT g,
         (ARRAY['Nguyễn','Trần','Lê','Phạm','Rơ Chăm','Ksor','Đinh'])[1 + g % 7] || ' ' || (ARRAY['Văn','Thị','Hoàng','Quốc'])[1 + g % 4] || ' Đức ' || g,
         (g % 1000003) / 100.0, date '1940-01-01' + (g % 30000)::int, timestamptz '2025-07-01 00:00:00+07' + g * interval '1 second',
         g % 3 <> 0, CASE WHEN g % 11 = 0 THEN NULL ELSE 'xã Ia Grai, tỉnh Gia Lai' END
       FROM generate_series(1, $1::bigint) g`,
      [rows],
    );
    await admin.query('ALTER TABLE a ADD PRIMARY KEY (id)');
    await admin.query('CREATE UNLOGGED TABLE b AS SELECT * FROM a');
    await admin.query('ALTER TABLE b ADD PRIMARY KEY (id)');
    await admin.query('VACUUM ANALYZE a');
    await admin.query('VACUUM ANALYZE b');
    console.log(`setup: ${((performance.now() - setup) / 1000).toFixed(1)} s (not timed below)`);

    const spec = (t: string): DatasetSpec => ({ kind: 'postgres', url: URL, table: `${schema}.${t}`, key: ['id'], columns: COLUMNS });
    const floor = await measure(async () => (await Promise.all([streamAll(`${schema}.a`), streamAll(`${schema}.b`)])).reduce((x, y) => x + y, 0));
    console.log(`floor (plain SELECT of both tables through cursors, in parallel): ${floor.seconds.toFixed(2)} s | ${fmt(floor.value)} rows | peak RSS ${floor.peakRssMb.toFixed(0)} MB`);

    const equal = await measure(() => reconcile(spec('a'), spec('b')));
    line('reconcile, equal tables', equal, floor.seconds);
    if (equal.value.outcome !== 'equal') throw new Error('equal tables reported different');

    // 100 differences spread over the key space: 34 missing, 33 extra (gaps left by deletes + past the end), 33 changed.
    const step = Math.floor(rows / 101);
    const ids = Array.from({ length: 100 }, (_, i) => 1 + (i + 1) * step - (i % 7));
    const missing = ids.slice(0, 34);
    const changed = ids.slice(34, 67);
    await admin.query('DELETE FROM b WHERE id = ANY($1::bigint[])', [missing]);
    await admin.query(`UPDATE b SET so_tien = so_tien + 1 WHERE id = ANY($1::bigint[])`, [changed.slice(0, 17)]);
    await admin.query(`UPDATE b SET ho_ten = ho_ten || ' (sửa)' WHERE id = ANY($1::bigint[])`, [changed.slice(17)]);
    await admin.query(`INSERT INTO b (id, ho_ten) SELECT $1::bigint + g, 'Người thừa ' || g FROM generate_series(1, 33) g`, [rows]);
    await admin.query('ANALYZE b');

    const diff = await measure(() => reconcile(spec('a'), spec('b')));
    line('reconcile, 100 rows differ', diff, floor.seconds);
    const c = diff.value.counts;
    if (c.missing !== 34 || c.extra !== 33 || c.changed !== 33 || c.equal !== rows - 67) throw new Error(`wrong counts ${JSON.stringify(c)}`);

    if (rowsMode) {
      const streamed = await measure(() => reconcile(spec('a'), spec('b'), { rangeHash: false }));
      line('reconcile, 100 rows differ, row streaming (range hashing off)', streamed, floor.seconds);
    }
    console.log(`process maxRSS over the whole run: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}
