import { describe, expect, it } from 'vitest';
import type { AccessLogRecordRow } from '../access-log/access-log.table.js';
import type { AuditEventRow } from './audit.table.js';
import { canonicalAccessLog, canonicalAuditEvent, docId } from './merkle.leaf.js';

/** The reference definition of the encoding: JSON.stringify of the object with keys in code-point order. */
function reference(obj: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

const awkward = ['Nhật ký "kiểm toán"', 'a\\b', 'dòng 1\ndòng 2\ttab', '\u0000\u001f', 'emoji 🛡️', 'lone \ud800 surrogate', '', 'Đắk Lắk – Gia Lai'];

describe('canonical leaf encoding', () => {
  it('is byte-identical to JSON.stringify of the sorted object for audit entries, whatever the strings hold', () => {
    for (const [i, s] of awkward.entries()) {
      const row: AuditEventRow = {
        seq: 1000 + i, id: `id-${i}`, occurred_at: '2026-11-26T01:00:00.000Z', action: 'test.entry', outcome: 'success', actor_user_id: null, actor_label: s,
        target_type: 'x', target_id: s, unit_id: null, ip: '10.0.0.1', user_agent: s, request_id: null, reason: null, before_json: null,
        after_json: JSON.stringify({ text: s }), details_json: null,
      };
      expect(canonicalAuditEvent(row)).toBe(reference({ ...row, seq: row.seq, t: 'audit_event', v: 1 }));
    }
  });

  it('is byte-identical to JSON.stringify of the sorted object for access-log records', () => {
    for (const [i, s] of awkward.entries()) {
      const row: AccessLogRecordRow = {
        seq: i + 1, id: `r-${i}`, batch_id: 'b', system_id: 'sys', external_id: null, account: s, action: 'lookup', outcome: 'success',
        occurred_at: '2026-11-20T02:00:00.000Z', received_at: '2026-11-20T02:00:01.000Z', source: 'api', subject_hash: 'ab', subject_masked: '052******234',
        case_ref: s, ip: null, device: s, session_id: null, person_id: null, account_situation: 'unknown', account_mfa: i % 2,
      };
      expect(canonicalAccessLog(row)).toBe(reference({ ...row, t: 'access_log', v: 1 }));
    }
  });

  it('gives the id of an encoding without decoding it, even when other values hold text that looks like the key', () => {
    const base: AuditEventRow = {
      seq: 7, id: '019ac000-0000-7000-8000-000000000007', occurred_at: '2026-11-26T01:00:00.000Z', action: 'test', outcome: 'success',
      actor_user_id: null, actor_label: 'x,"id":"giả-mạo"', target_type: null, target_id: null, unit_id: null, ip: null, user_agent: null,
      request_id: null, reason: null, before_json: '{"id":"khác"}', after_json: ',"id":"', details_json: null,
    };
    expect(docId(canonicalAuditEvent(base))).toBe(base.id);
    for (const id of ['a"b', 'a\\b', 'dòng\nmới']) expect(docId(canonicalAuditEvent({ ...base, id }))).toBe(id);
    const rec = { id: '019ac000-0000-7000-8000-0000000000a1', external_id: ',"id":"x' } as unknown as AccessLogRecordRow;
    expect(docId(canonicalAccessLog(rec))).toBe(rec.id);
  });
});
