import { defineConfig } from 'vitest/config';

/**
 * Browser end-to-end tests: each file starts its own `khien start` on a temporary SQLite database and drives
 * Debian's Chromium through playwright-core. Run by `npm run test:e2e` after a full build.
 */
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
