import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, type TestContext } from '../../../../test/support/context.js';
import { SocRuntime, socRuntimeOf } from './soc.runtime.js';
import type { SpoolRecord } from './spool.js';

/**
 * The single-process pipeline keeps its correlation windows across a restart (issue 6: they were lost): six
 * failed SSH logins from one address before the restart and four after make the ten that Khiên's brute-force
 * rule (≥ 10 in 5 minutes per source.ip) needs.
 */
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
  await insertUnit(ctx, { code: 'TINH', name: 'UBND tỉnh', type: 'province' });
});

afterAll(async () => {
  await ctx?.close();
});

const failures = (from: number, n: number, ip: string): SpoolRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `restart-${ip}-${from + i}`, t: Date.now(), k: 'syslog' as const, s: null, p: '127.0.0.1', x: 'tcp',
    d: `<38>1 2026-11-25T03:00:${String(from + i).padStart(2, '0')}+00:00 srv-ssh-01 sshd 4242 - - Failed password for root from ${ip} port ${40000 + from + i} ssh2`,
  }));

async function bruteForceAlerts(ip: string): Promise<number> {
  const rows = await ctx.db.selectFrom('soc_alerts').select(['group_key', 'count']).where('origin', '=', 'correlation').execute();
  return rows.filter((r) => r.group_key.includes(`["${ip}"]`) && r.group_key.includes('1e0a89e9-629e-4d02-b7c2-438f2efe1c58')).length;
}

describe('correlation windows across a restart of the single-process pipeline', () => {
  it('counts failures from before the restart together with those after it', async () => {
    const first = socRuntimeOf(ctx.db)!;
    await first.append(failures(0, 6, '203.0.113.77'));
    await first.idle();
    expect(await bruteForceAlerts('203.0.113.77')).toBe(0);
    await first.stop();

    const second = new SocRuntime({ db: ctx.db, dialect: ctx.dialect, config: ctx.config, log: ctx.app.log });
    await second.start();
    try {
      await second.append(failures(10, 4, '203.0.113.77'));
      await second.idle();
      expect(await bruteForceAlerts('203.0.113.77'), 'brute force across the restart').toBe(1);
    } finally {
      await second.stop();
    }
  });
});
