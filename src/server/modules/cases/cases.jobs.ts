import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../core/config.js';
import type { Keys } from '../../core/keys.js';
import type { Db } from '../../db/database.js';
import { clockPolicy, escalateClocks } from './clock.service.js';
import { dispatchDeliveries } from './notify.service.js';

export interface CasesJobDeps {
  db: Db;
  keys: Keys;
  config: Pick<Config, 'cases'>;
  clock: () => number;
  log?: FastifyBaseLogger;
}

/**
 * One scheduler step (job `cases.tick`): escalate clocks that near expiry or expired, then send due
 * notifications (with retries). Time comes from `clock`, so tests move it explicitly.
 */
export async function runCasesTick(deps: CasesJobDeps) {
  const escalated = await escalateClocks({ db: deps.db, clock: deps.clock, policy: clockPolicy(deps.config) });
  const delivered = await dispatchDeliveries(deps);
  return { escalated, delivered };
}

/** Run the tick every `tickMs` (0: never; call runNow). Ticks never overlap; stop() waits for one in flight. */
export function startCasesJob(deps: CasesJobDeps): { stop(): Promise<void>; runNow(): Promise<Awaited<ReturnType<typeof runCasesTick>> | undefined> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    const p = running.then(() => (stopped ? undefined : runCasesTick(deps)));
    running = p.catch((err: unknown) => deps.log?.error({ err }, 'cases scheduler tick failed'));
    return p;
  };
  const timer = deps.config.cases.tickMs > 0 ? setInterval(() => void tick().catch(() => undefined), deps.config.cases.tickMs) : undefined;
  timer?.unref();
  return {
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
    runNow: tick,
  };
}
