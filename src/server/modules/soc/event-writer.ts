import { createRequire } from 'node:module';
import { MessageChannel, Worker } from 'node:worker_threads';
import { khienFold, SQLITE_WAL_AUTOCHECKPOINT } from '../../db/database.js';
import { packSqliteRows, SQLITE_EVENT_COLUMNS, SQLITE_FTS_AFTER_SQL, SQLITE_INSERT_SQL, SQLITE_LAST_SEQ_SQL, sqliteInsertManySql, type StoredEvent } from './events.repository.js';

/**
 * The SQLite event writer thread (docs/architecture.md, SOC pipeline, "Writer thread"). better-sqlite3 runs
 * every statement on the calling thread, so in one thread storing events (≈ 40 % of the pipeline's CPU) and
 * parsing/detecting the next ones take turns on one core. This worker owns a second connection to the same
 * database file and inserts the rows of a batch (and their FTS5 entries), one transaction per slice, while the
 * main thread goes on parsing and detecting the rest of the batch; the main thread then commits the batch's
 * alerts, correlation windows and spool position in its own transaction, after the last slice is stored.
 *
 * Durability is unchanged: the spool position is committed only after the events it covers, so a crash between
 * the two commits replays the batch from the spool; the replayed events meet their stored copies through the
 * (day, id) key and are counted as duplicates, and the alerts, which were not committed, are raised then.
 *
 * The worker's code is plain JavaScript evaluated in the thread (no TypeScript loader is needed in tests or in
 * the compiled build); the SQL and the packing of rows come from events.repository.ts. Messages: `rows` (a packed
 * slice, stored in one transaction), `commit` (answers the number of new rows since the last answer, or the first
 * failure), `abort` (forgets both), `close`.
 */
export interface EventWriter {
  /** Queue rows; the thread stores them in a transaction of their own. Does not wait. */
  write(rows: StoredEvent[]): void;
  /**
   * Resolves, once everything written since the last commit/abort is stored, with the number of new rows; rejects
   * if any of it failed (the batch is then retried from the spool, and what was stored meets its copy by key).
   */
  commit(): Promise<number>;
  /** Forget the count and any failure since the last commit (the batch will be retried). */
  abort(): void;
  close(): Promise<void>;
  /** Why the thread stopped working (it then fails every commit), or null while it works. */
  readonly failure: Error | null;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
if (workerData.role === 'checkpoint') {
  // The checkpointer (see CHECKPOINT_ROWS): a PASSIVE checkpoint each time the writer says enough rows were
  // committed; it never waits for a lock and never fails the pipeline (a checkpoint missed is done by the next).
  let conn = null;
  try {
    conn = new Database(workerData.file);
    conn.pragma('synchronous = NORMAL'); // a checkpoint syncs the WAL before and the database after it
    conn.pragma('busy_timeout = 5000');
  } catch {
    conn = null; // the connections' own automatic checkpoints still run
  }
  workerData.port.on('message', () => {
    try { conn && conn.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  });
  parentPort.on('message', (m) => {
    if (m.t === 'close') {
      workerData.port.close();
      try { conn && conn.close(); } catch {}
      parentPort.close();
    }
  });
} else {
// db/database.ts's khienFold itself (its source text), so the index and its content fold alike
const khienFold = ${khienFold.toString()};
const fold = (v) => (typeof v === 'string' ? khienFold(v) : v);
let conn, insert, insertMany, lastSeq, ftsAfter;
try {
  conn = new Database(workerData.file);
  conn.pragma('synchronous = NORMAL');
  conn.pragma('busy_timeout = 5000');
  conn.pragma('wal_autocheckpoint = ' + workerData.walAutocheckpoint);
  // A multi-row INSERT that could fail half-way (NOT NULL) keeps a statement journal of every page it changes
  // (sqlite.org/tempfiles.html, "Statement Journal Files"), spilled to a temporary file past 64 KiB: one write
  // system call per stored row here. In memory instead (≈ 0.6 µs less per row, scratch harness, 2026-11-26).
  conn.pragma('temp_store = MEMORY');
  conn.function('khien_fold', { deterministic: true }, fold);
  insert = conn.prepare(workerData.insertSql);
  insertMany = conn.prepare(workerData.insertManySql);
  lastSeq = conn.prepare(workerData.lastSeqSql).pluck();
  ftsAfter = conn.prepare(workerData.ftsAfterSql);
} catch (err) {
  // errors of the driver do not survive the thread boundary as Errors: send the text
  parentPort.postMessage({ t: 'fatal', message: String(err && err.message || err) });
  process.exit(1);
}
const columns = workerData.columns;
const rowsPerInsert = workerData.rowsPerInsert;
const checkpointer = workerData.port;
let sinceCheckpoint = 0;
const values = new Array(columns);
const manyValues = new Array(columns * rowsPerInsert);
let inserted = 0;
let failure = null;
parentPort.on('message', (m) => {
  if (m.t === 'rows') {
    if (failure) return;
    // one transaction per slice: the write lock is never held while waiting for the main thread
    try {
      conn.exec('begin immediate');
      // Under the write lock new rows get seq values above the last one: their FTS5 entries are written by one
      // statement after the inserts (events.repository.ts SQLITE_FTS_AFTER_SQL), and it counts them.
      const before = lastSeq.get();
      // events.repository.ts packSqliteRows: the values one after another in m.text, their lengths in m.lengths
      const text = m.text;
      const lengths = m.lengths;
      let off = 0;
      let k = 0;
      let i = 0;
      for (; i + rowsPerInsert <= m.count; i += rowsPerInsert) {
        for (let j = 0; j < manyValues.length; j++) {
          const len = lengths[k++];
          if (len < 0) manyValues[j] = null;
          else { manyValues[j] = text.slice(off, off + len); off += len; }
        }
        insertMany.run(manyValues);
      }
      for (; i < m.count; i++) {
        for (let c = 0; c < columns; c++) {
          const len = lengths[k++];
          if (len < 0) values[c] = null;
          else { values[c] = text.slice(off, off + len); off += len; }
        }
        insert.run(values);
      }
      const n = ftsAfter.run(before).changes;
      conn.exec('commit');
      inserted += n;
      sinceCheckpoint += m.count;
      if (sinceCheckpoint >= workerData.checkpointRows) {
        sinceCheckpoint = 0;
        checkpointer.postMessage(0);
      }
    } catch (err) {
      failure = err;
      try { conn.exec('rollback'); } catch {}
    }
  } else if (m.t === 'commit') {
    if (failure) {
      const err = failure;
      failure = null;
      inserted = 0;
      parentPort.postMessage({ t: 'error', message: String(err && err.message || err) });
      return;
    }
    parentPort.postMessage({ t: 'committed', inserted });
    inserted = 0;
  } else if (m.t === 'abort') {
    failure = null;
    inserted = 0;
  } else if (m.t === 'close') {
    checkpointer.close();
    conn.close();
    parentPort.close();
  }
});
}
`;

/** Rows per INSERT statement in the thread (one call into SQLite for 50 rows instead of 50; 950 parameters). */
const ROWS_PER_INSERT = 50;

/**
 * WAL checkpoints run on a third thread (its own connection): the writer thread, the pipeline's slowest stage,
 * spent ≈ 10 % of its CPU copying WAL pages into the database and was blocked ≈ 0.5 s per 200,000 events in the
 * checkpoints' fsyncs (strace, 2026-11-26). The writer asks for a PASSIVE checkpoint every CHECKPOINT_ROWS rows
 * (≈ 0.4 WAL pages per row: about SQLITE_WAL_AUTOCHECKPOINT pages). The automatic checkpoints of the writer's
 * and the main connection wait for four times as many pages while the thread runs: SQLite restarts the WAL from
 * its beginning only after a complete checkpoint, which the checkpointer, running beside the writer, seldom
 * achieves, and SQLite's automatic checkpoint runs at every commit once the WAL is past its mark — at 10,000 the
 * main connection did it after every batch (≈ 5 % of the main thread, profile 2026-11-26). So the WAL holds up to
 * ≈ 160 MB under a stream of events; the connection that commits past the mark completes a checkpoint, mostly of
 * pages the checkpointer has copied already.
 */
const CHECKPOINT_ROWS = 20_000;
const WRITER_AUTOCHECKPOINT = 4 * SQLITE_WAL_AUTOCHECKPOINT;

/**
 * A writer thread on the SQLite database file `file` (not for in-memory databases); `main`, the process's own
 * connection to it, gets the writer's automatic checkpoint mark until the writer is closed (see CHECKPOINT_ROWS).
 */
export function startSqliteEventWriter(file: string, main?: { pragma(source: string): unknown }): EventWriter {
  main?.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT}`);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const channel = new MessageChannel();
  const checkpointer = new Worker(WORKER_SOURCE, { eval: true, workerData: { role: 'checkpoint', file, driver, port: channel.port2 }, transferList: [channel.port2] });
  checkpointer.on('error', () => undefined); // the automatic checkpoints remain
  let checkpointerExited = false;
  checkpointer.once('exit', () => (checkpointerExited = true));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      role: 'writer', file, driver, walAutocheckpoint: WRITER_AUTOCHECKPOINT, columns: SQLITE_EVENT_COLUMNS.length, rowsPerInsert: ROWS_PER_INSERT,
      insertSql: SQLITE_INSERT_SQL, insertManySql: sqliteInsertManySql(ROWS_PER_INSERT), lastSeqSql: SQLITE_LAST_SEQ_SQL, ftsAfterSql: SQLITE_FTS_AFTER_SQL,
      port: channel.port1, checkpointRows: CHECKPOINT_ROWS,
    },
    transferList: [channel.port1],
  });
  let waiting: { resolve: (n: number) => void; reject: (e: Error) => void } | null = null;
  let dead: Error | null = null;
  let closing = false;
  const fail = (err: Error) => {
    dead ??= err;
    const w = waiting;
    waiting = null;
    w?.reject(err);
  };
  worker.on('message', (m: { t: 'committed'; inserted: number } | { t: 'error' | 'fatal'; message: string }) => {
    if (m.t === 'fatal') {
      fail(new Error(`soc event writer thread failed: ${m.message}`));
      return;
    }
    const w = waiting;
    waiting = null;
    if (!w) return;
    if (m.t === 'committed') w.resolve(m.inserted);
    else w.reject(new Error(`soc event writer: ${m.message}`));
  });
  // An error in the thread (or its exit) surfaces as a failed commit: the batch stays in the spool and is retried.
  worker.on('error', (err: unknown) => {
    const message = err instanceof Error ? err.message : typeof err === 'object' && err && 'message' in err ? String(err.message) : String(err);
    fail(new Error(`soc event writer thread failed: ${message}`));
  });
  worker.on('exit', (code) => {
    if (!closing) fail(new Error(`soc event writer thread exited (code ${code})`));
  });
  return {
    get failure() {
      return dead;
    },
    write(rows) {
      if (dead || rows.length === 0) return;
      const packed = packSqliteRows(rows);
      worker.postMessage({ t: 'rows', ...packed }, [packed.lengths.buffer as ArrayBuffer]);
    },
    commit() {
      if (dead) return Promise.reject(dead);
      if (waiting) return Promise.reject(new Error('soc event writer: a commit is already pending'));
      return new Promise<number>((resolve, reject) => {
        waiting = { resolve, reject };
        worker.postMessage({ t: 'commit' });
      });
    },
    abort() {
      if (!dead) worker.postMessage({ t: 'abort' });
    },
    async close() {
      if (closing) return;
      closing = true;
      if (!dead) {
        const exited = new Promise<void>((r) => worker.once('exit', () => r()));
        worker.postMessage({ t: 'close' });
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
      }
      await worker.terminate();
      if (!checkpointerExited) {
        const stopped = new Promise<void>((r) => checkpointer.once('exit', () => r()));
        checkpointer.postMessage({ t: 'close' });
        await Promise.race([stopped, new Promise((r) => setTimeout(r, 5000).unref())]);
        await checkpointer.terminate();
      }
      try {
        main?.pragma(`wal_autocheckpoint = ${SQLITE_WAL_AUTOCHECKPOINT}`);
      } catch {
        // the main connection is closed already
      }
    },
  };
}
