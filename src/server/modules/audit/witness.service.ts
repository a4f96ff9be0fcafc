import { createHash, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  addSignature, openNote, parseCheckpoint, parseVerifierKey, verifyConsistency, type NoteSigner, type NoteVerifier,
} from '../../engines/merkle/index.js';
import type { WitnessPeer, WitnessPush } from '../../core/config.js';
import { AppError, UnauthenticatedError, UnprocessableError } from '../../core/errors.js';
import type { Db } from '../../db/database.js';
import { newId } from '../../db/columns.js';
import type { AuditLogCheckpointRow } from './merkle.table.js';
import { auditConsistencyProof } from './merkle.service.js';
import { readWitnessFile } from './verify.service.js';

/**
 * Witnessing. A log operator holding the signing key could rebuild history and re-sign it; a second party
 * that remembers the last checkpoint it saw and only accepts later ones with a valid consistency proof
 * makes such a rewrite (or showing different histories to different readers) detectable.
 */

export class WitnessConflictError extends AppError {
  constructor(code: string, message: string, details: { lastSize: number }) {
    super(code, 409, message, { details });
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

export interface WitnessRequest {
  checkpoint: string;
  /** Tree size the proof starts from: the size this witness last accepted. */
  oldSize?: number;
  /** Base64 consistency proof from oldSize to the checkpoint's size. */
  proof?: string[];
}

/**
 * Accept a peer log's checkpoint as a witness: authenticate the peer by its shared secret, check the log's
 * signature with the key configured for the peer, and refuse any checkpoint that is not provably an
 * extension of the last one accepted. Returns the note with this instance's cosignature appended.
 */
export async function witnessCheckpoint(
  deps: { db: Db; peers: WitnessPeer[]; signer: NoteSigner; now: string },
  auth: { peer: string | undefined; secret: string | undefined },
  req: WitnessRequest,
): Promise<{ treeSize: number; cosigned: string }> {
  const peer = deps.peers.find((p) => p.name === auth.peer);
  // Compare even for an unknown peer so timing does not reveal which peer names exist.
  const okSecret = sameSecret(auth.secret ?? '', peer?.secret ?? '\u0000unknown');
  if (!peer || !okSecret) throw new UnauthenticatedError('audit_log.witness_unauthenticated', 'Máy chủ gửi không được xác thực.');
  let verifier: NoteVerifier;
  let cp: ReturnType<typeof parseCheckpoint>;
  try {
    verifier = parseVerifierKey(peer.verifierKey);
    cp = parseCheckpoint(openNote(req.checkpoint, verifier));
  } catch (err) {
    throw new UnprocessableError('audit_log.witness_bad_checkpoint', `Checkpoint không hợp lệ: ${(err as Error).message}`);
  }
  if (cp.origin !== verifier.name) throw new UnprocessableError('audit_log.witness_bad_origin', 'Origin của checkpoint không khớp khoá của bên gửi.');
  const last = await deps.db.selectFrom('audit_log_witness_state').selectAll()
    .where('role', '=', 'witnessed').where('peer', '=', peer.name).where('origin', '=', cp.origin).executeTakeFirst();
  if (last) {
    const lastRoot = Buffer.from(last.root_hash, 'hex');
    const lastSize = Number(last.tree_size);
    if (cp.size < lastSize) throw new WitnessConflictError('audit_log.witness_stale', `Đã chứng kiến cây ${lastSize} lá; checkpoint ${cp.size} cũ hơn.`, { lastSize });
    if (cp.size === lastSize && !cp.root.equals(lastRoot)) {
      throw new WitnessConflictError('audit_log.witness_inconsistent', `Hai checkpoint khác nhau cho cùng kích thước ${lastSize}: nhật ký đã bị viết lại.`, { lastSize });
    }
    if (cp.size > lastSize) {
      if (req.oldSize !== lastSize) throw new WitnessConflictError('audit_log.witness_old_size', `Cần bằng chứng nhất quán từ kích thước ${lastSize}.`, { lastSize });
      const proof = (req.proof ?? []).map((p) => Buffer.from(p, 'base64'));
      if (!verifyConsistency(lastSize, cp.size, proof, lastRoot, cp.root)) {
        throw new WitnessConflictError('audit_log.witness_inconsistent', `Checkpoint ${cp.size} không nhất quán với checkpoint ${lastSize} đã chứng kiến: nhật ký đã bị viết lại.`, { lastSize });
      }
    }
  }
  const values = { tree_size: cp.size, root_hash: cp.root.toString('hex'), note: req.checkpoint, updated_at: deps.now };
  if (last) await deps.db.updateTable('audit_log_witness_state').set(values).where('id', '=', last.id).execute();
  else await deps.db.insertInto('audit_log_witness_state').values({ id: newId(), role: 'witnessed', peer: peer.name, origin: cp.origin, ...values }).execute();
  return { treeSize: cp.size, cosigned: addSignature(req.checkpoint, deps.signer) };
}

/**
 * Push a checkpoint of this log to a peer's witness endpoint with a consistency proof from the size the
 * peer last accepted. When the peer reports a different last size, the proof is rebuilt once from it.
 */
export async function pushToWitness(
  deps: { db: Db; now: string; fetchImpl?: typeof fetch },
  target: WitnessPush,
  cp: AuditLogCheckpointRow,
): Promise<{ ok: boolean; status: number; body: unknown }> {
  const fetcher = deps.fetchImpl ?? fetch;
  const state = await deps.db.selectFrom('audit_log_witness_state').selectAll().where('role', '=', 'pushed').where('peer', '=', target.name).executeTakeFirst();
  let oldSize = state ? Number(state.tree_size) : 0;
  let res: { ok: boolean; status: number; body: unknown } = { ok: false, status: 0, body: null };
  for (let attempt = 0; attempt < 2; attempt++) {
    const proof = oldSize > 0 && oldSize < cp.tree_size ? await auditConsistencyProof(deps.db, oldSize, Number(cp.tree_size)) : [];
    const r = await fetcher(target.url, {
      method: 'POST',
      // x-csrf-token: public POST routes require the (non-safelisted) header to be present.
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.secret}`, 'x-khien-witness-peer': target.name, 'x-csrf-token': 'witness' },
      body: JSON.stringify({ checkpoint: cp.note, oldSize, proof }),
    });
    const body = (await r.json().catch(() => null)) as { error?: { code?: string; details?: { lastSize?: number } } } | null;
    res = { ok: r.ok, status: r.status, body };
    const lastSize = body?.error?.details?.lastSize;
    if (r.status === 409 && body?.error?.code === 'audit_log.witness_old_size' && typeof lastSize === 'number' && lastSize !== oldSize) {
      oldSize = lastSize;
      continue;
    }
    break;
  }
  if (res.ok) {
    const values = { tree_size: Number(cp.tree_size), root_hash: cp.root_hash, note: cp.note, updated_at: deps.now };
    if (state) await deps.db.updateTable('audit_log_witness_state').set(values).where('id', '=', state.id).execute();
    else await deps.db.insertInto('audit_log_witness_state').values({ id: newId(), role: 'pushed', peer: target.name, origin: parseCheckpoint(cp.note.slice(0, cp.note.indexOf('\n\n') + 1)).origin, ...values }).execute();
  }
  return res;
}

/**
 * The write-once file witness: append the signed checkpoint to a file kept on append-only (WORM) storage,
 * after checking it extends the last checkpoint in that file. `khien audit verify --witness-file` later
 * compares every checkpoint in the file with the recomputed tree.
 */
export async function appendToWitnessFile(db: Db, file: string, verifier: NoteVerifier, cp: AuditLogCheckpointRow): Promise<void> {
  const notes = readWitnessFile(file);
  const lastNote = notes[notes.length - 1];
  if (lastNote) {
    const last = parseCheckpoint(openNote(lastNote, verifier));
    if (last.size > cp.tree_size) throw new Error(`witness file already holds tree size ${last.size} > ${cp.tree_size}`);
    if (last.size === cp.tree_size) {
      if (last.root.toString('hex') !== cp.root_hash) throw new Error(`witness file holds a different root for size ${last.size}`);
      return;
    }
    const proof = (await auditConsistencyProof(db, last.size, Number(cp.tree_size))).map((p) => Buffer.from(p, 'base64'));
    if (!verifyConsistency(last.size, Number(cp.tree_size), proof, last.root, Buffer.from(cp.root_hash, 'hex'))) {
      throw new Error(`checkpoint ${cp.tree_size} is not consistent with the witness file's checkpoint ${last.size}`);
    }
  }
  if (!existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${cp.note}\n`, { flag: 'a' });
}
