import { defineConfig } from 'vitest/config';
import pg from 'pg';

/**
 * The same integration suite runs on SQLite and on PostgreSQL. PostgreSQL runs when reachable, and is
 * required under CI=true (a missing server then fails the run instead of silently skipping it).
 */
async function postgresAvailable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const pgUrl = process.env.KHIEN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ci = process.env.CI === 'true' || process.env.CI === '1';
const wantPg = process.env.KHIEN_TEST_DB !== 'sqlite' && (ci || (await postgresAvailable(pgUrl)));

const dbTests = ['src/server/*.test.ts', 'src/server/modules/**/*.test.ts', 'src/server/db/**/*.test.ts', 'test/integration/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two files at a time on this 2-core machine (vitest's default is cores − 1 = 1): most of a file's time
    // waits on PostgreSQL, NATS, child processes and real services, so the second worker nearly halves the run.
    maxWorkers: 2,
    // Files share a worker's module graph instead of re-importing the app for each of the ~220 files (≈ 280 s of
    // imports per run). Module state must therefore be keyed per database handle, never per process.
    isolate: false,
    projects: [
      {
        extends: true as const,
        test: { name: 'sqlite', include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/integration/**/*.test.ts'], env: { KHIEN_TEST_DB: 'sqlite' } },
      },
      ...(wantPg
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: dbTests,
                exclude: ['src/server/modules/demo/demo-data.test.ts'],
                env: { KHIEN_TEST_DB: 'postgres', KHIEN_TEST_POSTGRES_URL: pgUrl },
              },
            },
          ]
        : []),
    ],
  },
});
