import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../../../contracts/common.js';
import { scopeOf } from '../../core/actor.js';
import type { AppDeps } from '../../core/context.js';
import { ForbiddenError, NotFoundError } from '../../core/errors.js';
import { actorOf } from '../../core/http.js';
import { nowIso } from '../../db/columns.js';
import { findCheckpoint, latestCheckpoint, loadAuditSigner, verifierKeyOf } from './checkpoint.service.js';
import { startAuditLogJob } from './merkle.jobs.js';
import type { AuditLogCheckpointRow } from './merkle.table.js';
import { auditConsistencyProof, auditInclusionProof } from './merkle.service.js';
import { witnessCheckpoint } from './witness.service.js';

const CheckpointSchema = z.object({
  treeSize: z.number().int(),
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
    return { items: (await q.execute()).map(toCheckpoint) };
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

  app.post('/audit-log/witness', {
    // Not a user route: the peer log authenticates with its shared secret (Authorization: Bearer …).
    config: { auth: 'public' },
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
