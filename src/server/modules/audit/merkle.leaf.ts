import * as nodeCrypto from 'node:crypto';
import { leafHash } from '../../engines/merkle/index.js';
import type { AccessLogRecordRow } from '../access-log/access-log.table.js';
import type { AuditEventRow } from './audit.table.js';

/**
 * The canonical bytes of a log record, i.e. the `data` of its RFC 6962 leaf. Version 1:
 * UTF-8 JSON of one object whose keys are sorted by code point, no whitespace, values exactly as stored
 * (strings, the integer `seq`, or null), plus `t` (record kind) and `v` (encoding version):
 *
 *   {"action":…,"actor_label":…,"actor_user_id":…,"after_json":…,"before_json":…,"details_json":…,"id":…,
 *    "ip":…,"occurred_at":…,"outcome":…,"reason":…,"request_id":…,"seq":…,"t":"audit_event",
 *    "target_id":…,"target_type":…,"unit_id":…,"user_agent":…,"v":1}
 *
 * `seq` is inside the leaf, so moving an entry to another position changes its hash. Each record kind
 * (`audit_event`, `access_log`) has its own `t` and field list, so two kinds never encode to the same bytes.
 *
 * The encoders build the string by hand (verification re-encodes millions of entries): a string value with
 * no quote, backslash, control character or surrogate is written as-is between quotes — exactly what
 * JSON.stringify produces for it — and any other goes through JSON.stringify. A test checks the output is
 * byte-identical to JSON.stringify of the sorted object.
 */
export const AUDIT_EVENT_LEAF = 'audit_event';
export const ACCESS_LOG_LEAF = 'access_log';

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

function str(v: string | null): string {
  if (v === null) return 'null';
  return NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`;
}

function int(v: number | null): string {
  return v === null ? 'null' : String(Number(v));
}

export function canonicalAuditEvent(row: AuditEventRow): string {
  return `{"action":${str(row.action)},"actor_label":${str(row.actor_label)},"actor_user_id":${str(row.actor_user_id)},"after_json":${str(row.after_json)},"before_json":${str(row.before_json)},"details_json":${str(row.details_json)},"id":${str(row.id)},"ip":${str(row.ip)},"occurred_at":${str(row.occurred_at)},"outcome":${str(row.outcome)},"reason":${str(row.reason)},"request_id":${str(row.request_id)},"seq":${int(row.seq)},"t":"audit_event","target_id":${str(row.target_id)},"target_type":${str(row.target_type)},"unit_id":${str(row.unit_id)},"user_agent":${str(row.user_agent)},"v":1}`;
}

/**
 * An ingested access-log record (version 1): every stored column, including the attribution to a person made
 * at ingest (`person_id`, `account_situation`, `account_mfa`), so it cannot be rewritten unnoticed.
 */
export function canonicalAccessLog(row: AccessLogRecordRow): string {
  return `{"account":${str(row.account)},"account_mfa":${int(row.account_mfa)},"account_situation":${str(row.account_situation)},"action":${str(row.action)},"batch_id":${str(row.batch_id)},"case_ref":${str(row.case_ref)},"device":${str(row.device)},"external_id":${str(row.external_id)},"id":${str(row.id)},"ip":${str(row.ip)},"occurred_at":${str(row.occurred_at)},"outcome":${str(row.outcome)},"person_id":${str(row.person_id)},"received_at":${str(row.received_at)},"seq":${int(row.seq)},"session_id":${str(row.session_id)},"source":${str(row.source)},"subject_hash":${str(row.subject_hash)},"subject_masked":${str(row.subject_masked)},"system_id":${str(row.system_id)},"t":"access_log","v":1}`;
}

/**
 * The same two encodings as field lists (key, in the order written; `str` a text column, `int` an integer column,
 * `const` a fixed JSON value), for building the encoding inside SQL (verify.db.ts). A test checks that the SQL
 * encoding of stored rows is byte-identical to the functions above on both databases.
 */
export type LeafField = readonly [key: string, kind: 'str' | 'int' | 'const', value?: string];
export const AUDIT_EVENT_FIELDS: readonly LeafField[] = [
  ['action', 'str'], ['actor_label', 'str'], ['actor_user_id', 'str'], ['after_json', 'str'], ['before_json', 'str'], ['details_json', 'str'],
  ['id', 'str'], ['ip', 'str'], ['occurred_at', 'str'], ['outcome', 'str'], ['reason', 'str'], ['request_id', 'str'], ['seq', 'int'],
  ['t', 'const', '"audit_event"'], ['target_id', 'str'], ['target_type', 'str'], ['unit_id', 'str'], ['user_agent', 'str'], ['v', 'const', '1'],
];
export const ACCESS_LOG_FIELDS: readonly LeafField[] = [
  ['account', 'str'], ['account_mfa', 'int'], ['account_situation', 'str'], ['action', 'str'], ['batch_id', 'str'], ['case_ref', 'str'],
  ['device', 'str'], ['external_id', 'str'], ['id', 'str'], ['ip', 'str'], ['occurred_at', 'str'], ['outcome', 'str'], ['person_id', 'str'],
  ['received_at', 'str'], ['seq', 'int'], ['session_id', 'str'], ['source', 'str'], ['subject_hash', 'str'], ['subject_masked', 'str'],
  ['system_id', 'str'], ['t', 'const', '"access_log"'], ['v', 'const', '1'],
];

// One-shot crypto.hash (Node ≥ 20.12) straight from the string: UTF-8 of "\u0000" + json is 0x00 ‖ json, the
// RFC 6962 leaf input, with no intermediate Buffer.
const oneShot = (nodeCrypto as { hash?: (alg: string, data: string, enc: 'buffer') => Buffer }).hash;
const leafOfText = oneShot ? (text: string) => oneShot('sha256', `\u0000${text}`, 'buffer') : (text: string) => leafHash(Buffer.from(text, 'utf8'));

/**
 * The id in a canonical encoding, without decoding it: `id` is never the first key, and `,"` cannot occur inside a
 * string value (every quote in one is escaped), so the first `,"id":"` is the key. An id holding an escape (never
 * one Khiên made) is decoded properly.
 */
export function docId(doc: string): string {
  const at = doc.indexOf(',"id":"');
  const end = at < 0 ? -1 : doc.indexOf('"', at + 7);
  const id = end < 0 ? undefined : doc.slice(at + 7, end);
  return id === undefined || id.includes('\\') ? String((JSON.parse(doc) as { id: unknown }).id) : id;
}

/** Leaf hash of a record stored as its canonical encoding (SQLite, log-docs.ts). */
export function docLeafHash(doc: string): Buffer {
  return leafOfText(doc);
}

export function auditEventLeafHash(row: AuditEventRow): Buffer {
  return leafOfText(canonicalAuditEvent(row));
}

export function accessLogLeafHash(row: AccessLogRecordRow): Buffer {
  return leafOfText(canonicalAccessLog(row));
}

/** A stored record of either kind, tagged by its leaf source. */
export type LogEntry = ({ t: 'audit_event' } & AuditEventRow) | ({ t: 'access_log' } & AccessLogRecordRow);

/** Leaf hash of a record found at a leaf of `source`. */
export function entryLeafHash(source: string, row: AuditEventRow | AccessLogRecordRow): Buffer {
  return source === ACCESS_LOG_LEAF ? accessLogLeafHash(row as AccessLogRecordRow) : auditEventLeafHash(row as AuditEventRow);
}

/** The canonical text of a record found at a leaf of `source` (shown with inclusion proofs). */
export function canonicalEntry(source: string, row: AuditEventRow | AccessLogRecordRow): string {
  return source === ACCESS_LOG_LEAF ? canonicalAccessLog(row as AccessLogRecordRow) : canonicalAuditEvent(row as AuditEventRow);
}
