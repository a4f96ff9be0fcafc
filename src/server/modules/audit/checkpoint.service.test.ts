import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAuditSigner, verifierKeyOf } from './checkpoint.service.js';

const dir = mkdtempSync(join(tmpdir(), 'khien-signer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = (dataDir: string) => ({ dataDir, auditLog: { origin: 'gialai.khien/audit', signerKey: undefined } }) as unknown as Parameters<typeof loadAuditSigner>[0];

describe('the audit log signing key', () => {
  it('is generated once on first start and read back the same afterwards', () => {
    const a = loadAuditSigner(config(join(dir, 'server')));
    expect(existsSync(join(dir, 'server', 'audit-log.key'))).toBe(true);
    expect(verifierKeyOf(loadAuditSigner(config(join(dir, 'server'))))).toBe(verifierKeyOf(a));
  });

  it('is never created by a command that only reads the log: a missing key is an error naming the file', () => {
    const elsewhere = join(dir, 'wrong-data-dir');
    expect(() => loadAuditSigner(config(elsewhere), { create: false })).toThrow(`${join(elsewhere, 'audit-log.key')} không có`);
    expect(existsSync(join(elsewhere, 'audit-log.key'))).toBe(false);
    // with the key present, the same call reads it
    expect(verifierKeyOf(loadAuditSigner(config(join(dir, 'server')), { create: false }))).toMatch(/^gialai\.khien\/audit\+[0-9a-f]{8}\+/);
  });
});
