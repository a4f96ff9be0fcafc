import type { FastifyBaseLogger } from 'fastify';
import type { NoteSigner } from '../../engines/merkle/index.js';
import type { Config } from '../../core/config.js';
import { onDialect, type Db, type DialectName } from '../../db/database.js';
import { nowIso } from '../../db/columns.js';
import { signCheckpoint, verifierOf } from './checkpoint.service.js';
import { pruneAccessLogPayloads, pruneAuditPayloads, sequenceAccessLogs, sequenceAuditEvents } from './merkle.service.js';
import { appendToWitnessFile, pushToWitness } from './witness.service.js';

const lastAccessPrune = new WeakMap<object, number>();

export interface AuditLogJobDeps {
  db: Db;
  config: Pick<Config, 'auditLog'>;
  signer: NoteSigner;
  clock: () => number;
  log?: FastifyBaseLogger;
  /** PostgreSQL may commit seqs out of order: the sequencer then looks back for late entries. */
  dialect?: DialectName;
}

/**
 * One sequencer tick (job `audit_log.sequence`): append every pending audit entry as leaves, sign a
 * checkpoint when due (or `forceCheckpoint`), hand a new checkpoint to the witnesses, and prune payloads past
 * retention. Returns what it did. Also called on demand (tests, `khien audit verify` never writes).
 */
export async function runAuditLogTick(deps: AuditLogJobDeps, opts: { forceCheckpoint?: boolean } = {}): Promise<{ appended: number; checkpoint?: number; pruned: number }> {
  let appended = 0;
  const lateWindow = onDialect(deps.dialect ?? 'postgres', { sqlite: 0, postgres: 10_000 });
  for (const sequence of [sequenceAuditEvents, sequenceAccessLogs]) {
    for (;;) {
      const n = await sequence(deps.db, { now: nowIso(deps.clock), lateWindow });
      appended += n;
      if (n < 5000) break;
    }
  }
  const cfg = deps.config.auditLog;
  const cp = await signCheckpoint(deps.db, deps.signer, { now: nowIso(deps.clock), minIntervalSeconds: cfg.checkpointSeconds, force: opts.forceCheckpoint });
  if (cp) {
    if (cfg.witnessFile) await appendToWitnessFile(deps.db, cfg.witnessFile, verifierOf(deps.signer), cp);
    for (const target of cfg.witnessPush) {
      try {
        const r = await pushToWitness({ db: deps.db, now: nowIso(deps.clock) }, target, cp);
        if (!r.ok) deps.log?.warn({ witness: target.name, status: r.status, body: r.body }, 'audit log witness refused the checkpoint');
      } catch (err) {
        deps.log?.warn({ witness: target.name, err }, 'audit log witness unreachable');
      }
    }
  }
  let pruned = 0;
  if (cfg.retentionDays) {
    const before = new Date(deps.clock() - cfg.retentionDays * 86_400_000).toISOString();
    pruned = await pruneAuditPayloads(deps.db, { before, now: nowIso(deps.clock) });
  }
  // Access logs: retention by the system's security level, checked at most hourly (it scans by system).
  const last = lastAccessPrune.get(deps.db) ?? 0;
  if (opts.forceCheckpoint || deps.clock() - last >= 3_600_000) {
    lastAccessPrune.set(deps.db, deps.clock());
    pruned += await pruneAccessLogPayloads(deps.db, { now: nowIso(deps.clock), minDays: cfg.retentionDays });
  }
  return { appended, checkpoint: cp ? Number(cp.tree_size) : undefined, pruned };
}

/** Run the tick every `sequenceMs`; stop() waits for a tick in flight. */
export function startAuditLogJob(deps: AuditLogJobDeps): { stop(): Promise<void>; runNow(force?: boolean): Promise<Awaited<ReturnType<typeof runAuditLogTick>> | undefined> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = (force = false) => {
    const p = running.then(() => (stopped ? undefined : runAuditLogTick(deps, { forceCheckpoint: force })));
    running = p.catch((err: unknown) => {
      deps.log?.error({ err }, 'audit log sequencer failed');
    });
    return p;
  };
  const timer = deps.config.auditLog.sequenceMs > 0 ? setInterval(() => void tick().catch(() => undefined), deps.config.auditLog.sequenceMs) : undefined;
  timer?.unref();
  return {
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
    runNow: (force = true) => tick(force),
  };
}
