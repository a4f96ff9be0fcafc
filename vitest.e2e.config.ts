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
    // Two specs at a time: each has its own server and browser, and much of a spec waits on page loads.
    maxWorkers: 2,
    pool: 'forks',
    // expect.poll defaults to 1 s, shorter than an argon2id login or a page load on a busy 2-core machine;
    // align it with the locator timeouts the specs set (20–30 s).
    expect: { poll: { timeout: 20_000, interval: 100 } },
  },
});
