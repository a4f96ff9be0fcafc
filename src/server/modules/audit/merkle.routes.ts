import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../../../contracts/common.js';
import { scopeOf } from '../../core/actor.js';
import type { AppDeps } from '../../core/context.js';
import { ForbiddenError, NotFoundError } from '../../core/errors.js';
import { actorOf } from '../../core/http.js';
import { nowIso } from '../../db/columns.js';
import { findCheckpoint, latestCheckpoint, loadAuditSigner, verifierKeyOf, verifierOf } from './checkpoint.service.js';
import { startAuditLogJob } from './merkle.jobs.js';
import type { AuditLogCheckpointRow } from './merkle.table.js';
import { auditConsistencyProof, auditInclusionProof } from './merkle.service.js';
import { witnessCheckpoint } from './witness.service.js';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { recordAudit } from '../../core/audit.js';
import { holdsAtRoot } from '../org/org.policy.js';
import { openNote, parseCheckpoint } from '../../engines/merkle/index.js';
import { bundleLines, verifyDatabase } from './verify.service.js';
import type { VerifyReport } from './verify.js';

const runningVerifications = new WeakMap<AppDeps['db'], Promise<{ report: VerifyReport; durationMs: number }>>();

const CheckpointSchema = z.object({
  treeSize: z.number().int(),
  /** The Ed25519 signature of the note checks against this log's key and the note names this size and root. */
  signatureValid: z.boolean().optional(),
  rootHash: z.string().describe('base64 SHA-256 root'),
  note: z.string().describe('C2SP signed note: checkpoint body + Ed25519 signature'),
  createdAt: z.string(),
});
const toCheckpoint = (r: AuditLogCheckpointRow) => ({
  treeSize: Number(r.tree_size), rootHash: Buffer.from(r.root_hash, 'hex').toString('base64'), note: r.note, createdAt: r.created_at,
});

const jobs = new WeakMap<object, ReturnType<typeof startAuditLogJob> & { signer: ReturnType<typeof loadAuditSigner> }>();

/** The running sequencer of the app on this database: on-demand ticks (tests, admin tooling) and its signer. */
export function auditLogJobFor(db: object): (ReturnType<typeof startAuditLogJob> & { signer: ReturnType<typeof loadAuditSigner> }) | undefined {
  return jobs.get(db);
}

/**
 * The tamper-evident audit log API under /api/v1/audit-log. Reading checkpoints and proofs needs audit.read
 * anywhere (they carry hashes only, never entry content); the public key is public; the witness endpoint
 * authenticates peers by their shared secret. Also starts the sequencer job with the app.
 */
export async function registerAuditLog(root: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const signer = loadAuditSigner(deps.config);
  const job = startAuditLogJob({ db: deps.db, dialect: deps.dialect, config: deps.config, signer, clock: deps.clock, log: deps.log });
  jobs.set(deps.db, { ...job, signer });
  root.addHook('onClose', async () => {
    jobs.delete(deps.db);
    await job.stop();
  });

  const requireReader = (req: Parameters<typeof actorOf>[0]) => {
    if (scopeOf(actorOf(req), 'audit.read').length === 0) {
      throw new ForbiddenError('audit.forbidden', 'Bạn không có quyền xem nhật ký kiểm toán.', { permission: 'audit.read' });
    }
  };

  app.get('/audit-log/public-key', {
    config: { auth: 'public' },
    schema: {
      operationId: 'getAuditLogPublicKey', tags: ['audit'],
      description: 'Khoá công khai Ed25519 dùng để kiểm tra chữ ký các checkpoint (định dạng khoá kiểm tra C2SP signed-note).',
      response: { 200: z.object({ origin: z.string(), verifierKey: z.string(), publicKey: z.string() }), ...errorResponses },
    },
  }, async () => ({ origin: signer.name, verifierKey: verifierKeyOf(signer), publicKey: signer.publicKey.toString('base64') }));

  app.get('/audit-log/checkpoints/latest', {
    config: { auth: 'user' },
    schema: { operationId: 'getLatestAuditCheckpoint', tags: ['audit'], response: { 200: CheckpointSchema, ...errorResponses } },
  }, async (req) => {
    requireReader(req);
    const cp = await latestCheckpoint(deps.db);
    if (!cp) throw new NotFoundError('audit_log.no_checkpoint', 'Chưa có checkpoint nào.');
    return toCheckpoint(cp);
  });

  app.get('/audit-log/checkpoints', {
    config: { auth: 'user' },
    schema: {
      operationId: 'listAuditCheckpoints', tags: ['audit'],
      querystring: z.object({ beforeSize: z.coerce.number().int().min(1).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
      response: { 200: z.object({ items: z.array(CheckpointSchema) }), ...errorResponses },
    },
  }, async (req) => {
    requireReader(req);
    let q = deps.db.selectFrom('audit_log_checkpoints').selectAll().orderBy('tree_size', 'desc').limit(req.query.limit);
    if (req.query.beforeSize) q = q.where('tree_size', '<', req.query.beforeSize);
    const v = verifierOf(signer);
    return {
      items: (await q.execute()).map((r) => {
        let signatureValid = false;
        try {
          const body = parseCheckpoint(openNote(r.note, v));
          signatureValid = body.size === Number(r.tree_size) && body.root.toString('hex') === r.root_hash;
        } catch {
          signatureValid = false;
        }
        return { ...toCheckpoint(r), signatureValid };
      }),
    };
  });

  app.get('/audit-log/inclusion-proof', {
    config: { auth: 'user' },
    schema: {
      operationId: 'getAuditInclusionProof', tags: ['audit'],
      description: 'Bằng chứng một bản ghi (theo seq hoặc id) nằm trong cây của một checkpoint (mặc định: checkpoint mới nhất).',
      querystring: z.object({ seq: z.coerce.number().int().min(0).optional(), id: z.string().optional(), treeSize: z.coerce.number().int().min(1).optional() }),
      response: {
        200: z.object({
          leafIndex: z.number().int(), seq: z.number().int(), entryId: z.string(), treeSize: z.number().int(),
          leafHash: z.string(), proof: z.array(z.string()), checkpoint: CheckpointSchema,
        }),
        ...errorResponses,
      },
    },
  }, async (req) => {
    requireReader(req);
    const cp = req.query.treeSize ? await findCheckpoint(deps.db, req.query.treeSize) : await latestCheckpoint(deps.db);
    if (!cp) throw new NotFoundError('audit_log.no_checkpoint', 'Không có checkpoint với kích thước này.');
    const r = await auditInclusionProof(deps.db, { seq: req.query.seq, id: req.query.id }, Number(cp.tree_size));
    return { ...r, checkpoint: toCheckpoint(cp) };
  });

  app.get('/audit-log/consistency-proof', {
    config: { auth: 'user' },
    schema: {
      operationId: 'getAuditConsistencyProof', tags: ['audit'],
      querystring: z.object({ from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(1) }),
      response: { 200: z.object({ from: z.number().int(), to: z.number().int(), proof: z.array(z.string()) }), ...errorResponses },
    },
  }, async (req) => {
    requireReader(req);
    return { from: req.query.from, to: req.query.to, proof: await auditConsistencyProof(deps.db, req.query.from, req.query.to) };
  });

  const requireRootReader = (req: Parameters<typeof actorOf>[0]) => {
    // The whole log holds every unit's entries: only auditors at a root unit may verify or export all of it.
    if (!holdsAtRoot(actorOf(req), 'audit.read')) {
      throw new ForbiddenError('audit.forbidden_root', 'Chỉ kiểm toán viên cấp tỉnh mới được kiểm tra hoặc xuất toàn bộ nhật ký.', { permission: 'audit.read' });
    }
  };

  app.post('/audit-log/verify', {
    config: { auth: 'user' },
    schema: {
      operationId: 'verifyAuditLog', tags: ['audit'],
      description: 'Tính lại toàn bộ cây từ các bản ghi đã lưu và kiểm tra mọi checkpoint đã ký (như `khien audit verify`).',
      response: {
        200: z.object({
          ok: z.boolean(), treeSize: z.number().int(), rootHash: z.string(), checkpointsChecked: z.number().int(), pruned: z.number().int(),
          findings: z.array(z.object({ kind: z.string(), leafIndex: z.number().int().optional(), seq: z.number().int().optional(), source: z.string().optional(), treeSize: z.number().int().optional(), message: z.string() })),
          durationMs: z.number(),
        }),
        ...errorResponses,
      },
    },
  }, async (req) => {
    requireRootReader(req);
    // One verification at a time per database: a request arriving while one runs gets that run's report. A full
    // pass keeps worker threads busy for seconds on a large log; two at once would only slow each other and the
    // API. One core stays with the API (at most cores − 1 worker threads).
    let run = runningVerifications.get(deps.db);
    if (!run) {
      const t0 = Date.now();
      run = verifyDatabase(deps.db, verifierOf(signer), signer.name, [], { url: deps.config.databaseUrl, maxWorkers: Math.max(1, availableParallelism() - 1) })
        .then((report) => ({ report, durationMs: Date.now() - t0 }))
        .finally(() => runningVerifications.delete(deps.db));
      runningVerifications.set(deps.db, run);
    }
    const { report: r, durationMs } = await run;
    return { ok: r.ok, treeSize: r.treeSize, rootHash: Buffer.from(r.rootHash, 'hex').toString('base64'), checkpointsChecked: r.checkpointsChecked, pruned: r.pruned, findings: r.findings.slice(0, 200), durationMs };
  });

  app.get('/audit-log/bundle', {
    config: { auth: 'user' },
    schema: {
      operationId: 'exportAuditBundle', tags: ['audit'],
      description: 'Gói kiểm chứng cho thanh tra (JSON lines: khoá, checkpoint, lá và bản ghi) — kiểm tra ngoại tuyến bằng `khien audit verify --offline`.',
      response: { 200: z.unknown(), ...errorResponses },
    },
  }, async (req, reply) => {
    requireRootReader(req);
    const actor = actorOf(req);
    const exportedAt = nowIso(deps.clock);
    await recordAudit(deps.db, actor, { action: 'audit_log.export', details: { exportedAt } }, exportedAt);
    const name = `khien-audit-bundle-${exportedAt.slice(0, 19).replace(/[:T]/g, '')}.jsonl`;
    reply.header('content-type', 'application/jsonl; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`);
    return reply.send(Readable.from(bundleLines(deps.db, { origin: signer.name, verifierKey: verifierKeyOf(signer), exportedAt })));
  });

  app.post('/audit-log/witness', {
    // Not a user route: the peer log authenticates with its shared secret (Authorization: Bearer …), checked below.
    config: { auth: 'system_key' },
    schema: {
      operationId: 'witnessAuditCheckpoint', tags: ['audit'],
      description: 'Nhận checkpoint của một Khiên khác (bên chứng kiến); từ chối checkpoint không nhất quán với checkpoint đã nhận trước.',
      body: z.object({ checkpoint: z.string().max(10_000), oldSize: z.number().int().min(0).optional(), proof: z.array(z.string().max(100)).max(128).optional() }),
      response: { 200: z.object({ accepted: z.literal(true), treeSize: z.number().int(), cosigned: z.string() }), ...errorResponses },
    },
  }, async (req) => {
    const header = req.headers.authorization;
    const secret = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    const peer = req.headers['x-khien-witness-peer'];
    const r = await witnessCheckpoint(
      { db: deps.db, peers: deps.config.auditLog.witnessPeers, signer, now: nowIso(deps.clock) },
      { peer: typeof peer === 'string' ? peer : undefined, secret },
      req.body,
    );
    return { accepted: true as const, ...r };
  });
}
