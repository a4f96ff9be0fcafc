import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import type { KhienEvent } from '../../engines/sigma/index.js';
import { buildRuleEngine, importRuleFiles, readKhienRules, recordRuleHits, rulesFingerprint } from './rules.service.js';

let ctx: TestContext;
let analyst: TestUser;
let auditor: TestUser;
let official: TestUser;

const sshd = `title: Suspicious OpenSSH Daemon Error
id: e76b413a-83d0-4b94-8e4c-85db4a5b8bdc
status: test
author: Florian Roth (Nextron Systems)
level: medium
logsource:
  product: linux
  service: sshd
detection:
  keywords:
    - 'unexpected internal error'
    - 'error in libcrypto'
  condition: keywords
`;
const legacy = `title: Legacy Aggregation
id: 0a1b2c3d-0000-4000-8000-000000000001
status: test
author: Someone
level: high
logsource:
  product: windows
  service: security
detection:
  sel:
    EventID: 4625
  condition: sel | count() by TargetUserName > 5
`;
const proc = `title: Whoami Execution
id: 0a1b2c3d-0000-4000-8000-000000000002
status: experimental
author: Tester
level: low
logsource:
  product: windows
  category: process_creation
detection:
  sel:
    Image|endswith: '\\whoami.exe'
  condition: sel
`;

beforeAll(async () => {
  ctx = await createTestContext();
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  analyst = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'soc_analyst', unitId: root.id }] });
  auditor = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'auditor', unitId: root.id }] });
  official = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'official', unitId: root.id }] });
  const deps = { db: ctx.db, clock: ctx.now };
  const r = await importRuleFiles(deps, null, [
    { path: 'rules/linux/builtin/sshd/lnx_sshd_susp_ssh.yml', text: sshd },
    { path: 'rules/windows/builtin/security/legacy.yml', text: legacy },
    { path: 'rules/windows/process_creation/proc_whoami.yml', text: proc },
  ], 'sigmahq');
  expect(r).toMatchObject({ files: 3, compiled: 2, unsupported: 1, created: 3 });
  await importRuleFiles(deps, null, readKhienRules(), 'khien');
});
afterAll(async () => ctx?.close());

const inject = (user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: user.headers, ...(payload !== undefined ? { payload: payload as object } : {}) });

describe('rule import', () => {
  it('is idempotent: a second import changes nothing and keeps enabled flags, filters and hits', async () => {
    const deps = { db: ctx.db, clock: ctx.now };
    await recordRuleHits(ctx.db, { 'e76b413a-83d0-4b94-8e4c-85db4a5b8bdc': { count: 3, lastHitAt: '2026-11-20T01:00:00.000Z' } });
    const again = await importRuleFiles(deps, null, [{ path: 'rules/linux/builtin/sshd/lnx_sshd_susp_ssh.yml', text: sshd }], 'sigmahq');
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    const changed = await importRuleFiles(deps, null, [{ path: 'rules/linux/builtin/sshd/lnx_sshd_susp_ssh.yml', text: sshd.replace('level: medium', 'level: high') }], 'sigmahq');
    expect(changed).toMatchObject({ created: 0, updated: 1 });
    const r = await inject(analyst, 'GET', '/api/v1/rules/e76b413a-83d0-4b94-8e4c-85db4a5b8bdc');
    expect(r.json()).toMatchObject({ level: 'high', hitCount: 3, lastHitAt: '2026-11-20T01:00:00.000Z', enabled: true });
  });

  it('stores an unsupported rule disabled, with the exact feature, and refuses to enable it', async () => {
    const r = await inject(analyst, 'GET', '/api/v1/rules?supported=false');
    expect(r.json().items).toEqual([expect.objectContaining({ ruleId: '0a1b2c3d-0000-4000-8000-000000000001', enabled: false, unsupported: expect.stringMatching(/^aggregation:/) })]);
    const en = await inject(analyst, 'PATCH', '/api/v1/rules/0a1b2c3d-0000-4000-8000-000000000001', { enabled: true });
    expect(en.statusCode).toBe(400);
  });
});

describe('rules API', () => {
  it('lists with filters by logsource, level, status and enabled; shows authors; facets count', async () => {
    const lin = await inject(auditor, 'GET', '/api/v1/rules?product=linux&service=sshd&source=sigmahq');
    expect(lin.statusCode).toBe(200);
    expect(lin.json().items.map((x: { author: string }) => x.author)).toEqual(['Florian Roth (Nextron Systems)']);
    const khien = await inject(analyst, 'GET', '/api/v1/rules?source=khien&pageSize=100');
    expect(khien.json().total).toBeGreaterThanOrEqual(9);
    expect(khien.json().items.every((x: { author: string }) => x.author === 'Khiên contributors')).toBe(true);
    // experimental SigmaHQ rules start disabled
    const exp = await inject(analyst, 'GET', '/api/v1/rules?status=experimental&enabled=false');
    expect(exp.json().items.map((x: { ruleId: string }) => x.ruleId)).toContain('0a1b2c3d-0000-4000-8000-000000000002');
    const facets = await inject(analyst, 'GET', '/api/v1/rules/facets');
    expect(facets.json().products).toEqual(expect.arrayContaining([{ value: 'linux', count: expect.any(Number) }]));
  });

  it('denies by default: an official cannot read rules; an auditor cannot change them (audited)', async () => {
    expect((await inject(official, 'GET', '/api/v1/rules')).statusCode).toBe(403);
    const r = await inject(auditor, 'PATCH', '/api/v1/rules/e76b413a-83d0-4b94-8e4c-85db4a5b8bdc', { enabled: false });
    expect(r.statusCode).toBe(403);
    const denied = await ctx.db.selectFrom('audit_events').select('action').where('action', '=', 'authz.denied').execute();
    expect(denied.length).toBeGreaterThan(0);
  });

  it('enables in bulk by filter and audits it; the detector follows the enabled set', async () => {
    const before = await rulesFingerprint(ctx.db);
    const r = await inject(analyst, 'POST', '/api/v1/rules/bulk-enable', { enabled: true, filter: { product: 'windows', category: 'process_creation' } });
    expect(r.json()).toEqual({ changed: 1 });
    expect(await rulesFingerprint(ctx.db)).not.toBe(before);
    const audit = await ctx.db.selectFrom('audit_events').select(['action', 'details_json']).where('action', '=', 'rule.bulk_enable').execute();
    expect(audit).toHaveLength(1);
    const engine = await buildRuleEngine(ctx.db);
    const ev: KhienEvent = { 'khien.logsource.product': 'windows', 'khien.logsource.category': 'process_creation', Image: 'C:\\Windows\\System32\\whoami.exe', User: 'GL\\nva' };
    expect(engine.detector.match(ev).map((m) => m.rule.title)).toEqual(['Whoami Execution']);
    const off = await inject(analyst, 'POST', '/api/v1/rules/bulk-enable', { enabled: false, ids: ['0a1b2c3d-0000-4000-8000-000000000002'] });
    expect(off.json()).toEqual({ changed: 1 });
    expect((await buildRuleEngine(ctx.db)).detector.match(ev)).toEqual([]);
    await inject(analyst, 'PATCH', '/api/v1/rules/0a1b2c3d-0000-4000-8000-000000000002', { enabled: true });
  });

  it('adds false-positive filters (field = value and Sigma detection) that suppress matches', async () => {
    const id = '0a1b2c3d-0000-4000-8000-000000000002';
    const bad = await inject(analyst, 'POST', `/api/v1/rules/${id}/filters`, { detectionYaml: 'sel:\n  User: x\ncondition: nope' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual({ field: 'detectionYaml' });
    const f1 = await inject(analyst, 'POST', `/api/v1/rules/${id}/filters`, { note: 'Tài khoản giám sát', fields: { User: 'GL\\svc_monitor' } });
    expect(f1.statusCode).toBe(201);
    const f2 = await inject(analyst, 'POST', `/api/v1/rules/${id}/filters`, { detectionYaml: 'parent:\n  ParentImage|endswith: \\\\msiexec.exe\ncondition: parent' });
    expect(f2.statusCode, f2.body).toBe(201);
    const engine = await buildRuleEngine(ctx.db);
    const base: KhienEvent = { 'khien.logsource.product': 'windows', 'khien.logsource.category': 'process_creation', Image: 'C:\\Windows\\System32\\whoami.exe' };
    expect(engine.detector.match({ ...base, User: 'GL\\nva' })).toHaveLength(1);
    expect(engine.detector.match({ ...base, User: 'gl\\SVC_MONITOR' })).toHaveLength(0);
    expect(engine.detector.match({ ...base, User: 'GL\\nva', ParentImage: 'C:\\Windows\\System32\\msiexec.exe' })).toHaveLength(0);
    const detail = await inject(analyst, 'GET', `/api/v1/rules/${id}`);
    expect(detail.json().filters).toHaveLength(2);
    const rm = await inject(analyst, 'DELETE', `/api/v1/rules/${id}/filters/${f1.json().id}`);
    expect(rm.statusCode).toBe(200);
    expect((await buildRuleEngine(ctx.db)).detector.match({ ...base, User: 'gl\\SVC_MONITOR' })).toHaveLength(1);
  });

  it('records hit counts from the pipeline and lists rules with hits first', async () => {
    await recordRuleHits(ctx.db, new Map([['1e0a89e9-629e-4d02-b7c2-438f2efe1c58', { count: 5, lastHitAt: '2026-11-25T02:00:00.000Z' }]]));
    await recordRuleHits(ctx.db, { '1e0a89e9-629e-4d02-b7c2-438f2efe1c58': { count: 2, lastHitAt: '2026-11-24T02:00:00.000Z' }, 'no-such-rule': 4 });
    const r = await inject(analyst, 'GET', '/api/v1/rules?hit=true');
    expect(r.json().items[0]).toMatchObject({ ruleId: '1e0a89e9-629e-4d02-b7c2-438f2efe1c58', hitCount: 7, lastHitAt: '2026-11-25T02:00:00.000Z', title: 'SSH Brute Force From One Source Address' });
  });

  it("builds Khiên's correlations with their base rules, which do not alert alone", async () => {
    const engine = await buildRuleEngine(ctx.db);
    const base = engine.detector.rules.find((r) => r.name === 'khien_ssh_auth_failure');
    expect(base?.correlationOnly).toBe(true);
    expect(engine.parsed.correlations.map((c) => c.info.name).sort()).toEqual([
      'khien_ssh_brute_force', 'khien_ssh_password_spraying', 'khien_ssh_repeated_failures', 'khien_ssh_success_after_failures', 'khien_web_scanning_burst',
    ]);
  });
});
