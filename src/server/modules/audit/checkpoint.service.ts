import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  encodeSignerKey, encodeVerifierKey, formatCheckpoint, generateSeed, parseSignerKey, parseVerifierKey, signNote,
  type NoteSigner, type NoteVerifier,
} from '../../engines/merkle/index.js';
import type { Config } from '../../core/config.js';
import type { Db } from '../../db/database.js';
import { nowIso } from '../../db/columns.js';
import type { AuditLogCheckpointRow } from './merkle.table.js';
import { readTreeState } from './merkle.service.js';

/**
 * The log's Ed25519 checkpoint key: KHIEN_AUDIT_LOG_SIGNER_KEY, or generated on first start into
 * `<dataDir>/audit-log.key` (mode 0600, never overwritten). The key name is the log origin.
 * `create: false` (the CLI's verify, export and public-key, which only read the log): a missing key is an error
 * naming where it was looked for, instead of a new key that the log's checkpoints were never signed with.
 */
export function loadAuditSigner(config: Pick<Config, 'dataDir' | 'auditLog'>, opts: { create?: boolean } = {}): NoteSigner {
  if (config.auditLog.signerKey) {
    const s = parseSignerKey(config.auditLog.signerKey);
    if (s.name !== config.auditLog.origin) throw new Error(`audit log signer key is named ${s.name}, origin is ${config.auditLog.origin}`);
    return s;
  }
  const file = join(config.dataDir, 'audit-log.key');
  if (!existsSync(file) && opts.create === false) {
    throw new Error(`Không tìm thấy khoá ký nhật ký kiểm toán: ${file} không có và KHIEN_AUDIT_LOG_SIGNER_KEY không đặt. Kiểm tra KHIEN_DATA_DIR, hoặc dùng --key <khoá kiểm tra công bố>.`);
  }
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, `${encodeSignerKey(config.auditLog.origin, generateSeed())}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  const s = parseSignerKey(readFileSync(file, 'utf8'));
  if (s.name !== config.auditLog.origin) throw new Error(`${file} holds a key for ${s.name}, origin is ${config.auditLog.origin}`);
  return s;
}

/** The published verifier key string `<origin>+<key id>+<base64 key>`. */
export function verifierKeyOf(signer: NoteSigner): string {
  return encodeVerifierKey(signer.name, signer.publicKey);
}

export function verifierOf(signer: NoteSigner): NoteVerifier {
  return parseVerifierKey(verifierKeyOf(signer));
}

/**
 * Sign a checkpoint of the current tree when it grew since the last one and the interval has passed (or
 * `force`). Returns the new checkpoint row, or undefined. A log must never sign two inconsistent
 * checkpoints (C2SP tlog-checkpoint): the root comes from the sequencer's own append-only state.
 */
export async function signCheckpoint(
  db: Db,
  signer: NoteSigner,
  opts: { now: string; minIntervalSeconds: number; force?: boolean },
): Promise<AuditLogCheckpointRow | undefined> {
  const state = await readTreeState(db);
  if (state.range.size === 0) return undefined;
  const last = await latestCheckpoint(db);
  if (last && last.tree_size >= state.range.size) return undefined;
  if (last && !opts.force && Date.parse(opts.now) - Date.parse(last.created_at) < opts.minIntervalSeconds * 1000) return undefined;
  const root = state.range.root();
  const note = signNote(formatCheckpoint({ origin: signer.name, size: state.range.size, root }), signer);
  const row = { tree_size: state.range.size, root_hash: root.toString('hex'), note, created_at: opts.now };
  await db.insertInto('audit_log_checkpoints').values(row).onConflict((oc) => oc.column('tree_size').doNothing()).execute();
  return row;
}

export async function latestCheckpoint(db: Db): Promise<AuditLogCheckpointRow | undefined> {
  return db.selectFrom('audit_log_checkpoints').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
}

export async function findCheckpoint(db: Db, treeSize: number): Promise<AuditLogCheckpointRow | undefined> {
  return db.selectFrom('audit_log_checkpoints').selectAll().where('tree_size', '=', treeSize).executeTakeFirst();
}

export function nowOf(clock: () => number): string {
  return nowIso(clock);
}
