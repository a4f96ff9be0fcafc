import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, type TestContext } from '../../../../test/support/context.js';
import { assertTargetsAllowed, ScanRefused, scanNmap } from '../../cli/scan.js';
import { newId, nowIso } from '../../db/columns.js';

const ci = process.env.CI === 'true' || process.env.CI === '1';
const hasNmap = (() => {
  try {
    execFileSync('nmap', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (ci && !hasNmap) throw new Error('nmap is required under CI=true');

describe('scan targets', () => {
  it('allows loopback only unless the allow-list says otherwise', () => {
    expect(assertTargetsAllowed(['127.0.0.1', '127.0.0.0/24', '::1', 'localhost'])).toEqual(['127.0.0.1', '127.0.0.0/24', '::1', '127.0.0.1']);
    expect(() => assertTargetsAllowed(['10.0.0.1'])).toThrow(ScanRefused);
    expect(() => assertTargetsAllowed(['126.0.0.0/7'])).toThrow(ScanRefused);
    expect(() => assertTargetsAllowed(['scanme.nmap.org'])).toThrow(/không nhận tên máy/);
    expect(() => assertTargetsAllowed(['-oN/etc/passwd'])).toThrow(ScanRefused);
    expect(assertTargetsAllowed(['10.20.1.0/24'], ['10.20.0.0/16'])).toEqual(['10.20.1.0/24']);
    expect(() => assertTargetsAllowed(['10.21.0.0/24'], ['10.20.0.0/16'])).toThrow(ScanRefused);
  });
});

describe.skipIf(!hasNmap)('khien scan nmap (real nmap on 127.0.0.1)', () => {
  let ctx: TestContext;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    ctx = await createTestContext();
    server = createServer((s) => {
      s.on('error', () => undefined); // nmap's probes reset connections
      s.end('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server?.close();
    await ctx?.close();
  });

  it('finds the listener, imports it on the loopback asset, and mitigates it once closed', async () => {
    const unit = await insertUnit(ctx, { code: 'STTTT', name: 'Sở Khoa học và Công nghệ' });
    const now = nowIso(ctx.now);
    const assetId = newId();
    await ctx.db.insertInto('assets').values({
      id: assetId, code: 'SRV-KHIEN', kind: 'server', name: 'Máy chủ Khiên', name_folded: 'may chu khien', hostname: 'khien', ips_json: '["127.0.0.1"]', os_name: null, os_version: null,
      software_json: '[]', location: null, owner_unit_id: unit.id, status: 'in_use', reuse_disposition: null, reuse_target_unit_id: null, reuse_decision: null, notes: null, created_at: now, updated_at: now,
    }).execute();
    const r = await scanNmap({ db: ctx.db, clock: ctx.now }, { targets: ['127.0.0.1'], unitId: unit.id, ports: String(port) });
    expect(r).toMatchObject({ format: 'nmap', hosts: 1, findings: 1, created: 1, unmatchedHosts: 0 });
    const f = await ctx.db.selectFrom('vuln_findings').selectAll().where('asset_id', '=', assetId).execute();
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ scanner: 'nmap', plugin_id: 'nmap:open-port', port, protocol: 'tcp', severity: 'info', status: 'open' });
    await new Promise<void>((res) => server.close(() => res()));
    const again = await scanNmap({ db: ctx.db, clock: ctx.now }, { targets: ['127.0.0.1'], unitId: unit.id, ports: String(port) });
    expect(again).toMatchObject({ findings: 0, mitigated: 1 });
    const audit = await ctx.db.selectFrom('audit_events').select(['action', 'actor_label']).where('action', '=', 'vuln.import').execute();
    expect(audit).toHaveLength(2);
    expect(audit[0]!.actor_label).toBe('khien cli');
  });
});
