import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { testEnv } from '../../src/server/core/config.js';
import { type DatabaseHandle, openDatabase } from '../../src/server/db/database.js';

export interface ScratchDatabase {
  url: string;
  /** Drops the PostgreSQL database (a SQLite file goes with its directory). */
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file or bench run, on the dialect the test project runs
 * (KHIEN_TEST_DB) unless `dialect` says otherwise: a fresh PostgreSQL database named `<prefix>_<random>`,
 * or the SQLite file `dir/<file>`.
 */
export async function scratchDatabase(opts: { dir: string; prefix: string; file?: string; dialect?: 'sqlite' | 'postgres' }): Promise<ScratchDatabase> {
  const env = testEnv();
  if ((opts.dialect ?? env.db) === 'sqlite') return { url: `sqlite:${join(opts.dir, opts.file ?? 'khien.db')}`, drop: async () => undefined };
  const name = `${opts.prefix}_${randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: env.postgresUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name}`);
  const u = new URL(env.postgresUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/**
 * A scratch database of its own, opened, in a temporary directory, for a test that migrates it step by step (a
 * migration's backfill or rebuild); `close` closes it, drops it and removes the directory.
 */
export async function openScratchDatabase(prefix: string): Promise<{ handle: DatabaseHandle; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const scratch = await scratchDatabase({ dir, prefix });
  const handle = openDatabase(scratch.url);
  return {
    handle,
    close: async () => {
      await handle.close();
      await scratch.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
