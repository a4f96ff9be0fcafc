import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Entry } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext } from '../../../../test/support/context.js';
import { newId, nowIso } from '../../db/columns.js';
import { decodeUserAccountControl, entriesToAccounts, fetchLdapAccounts, fileTimeToIso, groupName } from './ldap-import.js';

const SETTINGS = { privilegedGroups: ['Domain Admins'], mfaAttribute: null };

describe('Active Directory decoding (crafted search result)', () => {
  it('decodes userAccountControl bits', () => {
    expect(decodeUserAccountControl(512)).toEqual({ disabled: false, locked: false, passwordNeverExpires: false, smartcardRequired: false });
    expect(decodeUserAccountControl(514 | 0x10000)).toMatchObject({ disabled: true, passwordNeverExpires: true });
    expect(decodeUserAccountControl(0x10 | 0x200)).toMatchObject({ disabled: false, locked: true });
  });
  it('converts lastLogonTimestamp (Windows FILETIME) and treats 0 / never as no login', () => {
    expect(fileTimeToIso('134071200000000000')).toBe('2025-11-09T00:00:00.000Z');
    expect(fileTimeToIso('0')).toBeNull();
    expect(fileTimeToIso('9223372036854775807')).toBeNull();
  });
  it('maps entries: groups to roles, privileged groups, disabled and locked accounts', () => {
    const entries: Entry[] = [
      {
        dn: 'CN=Nguyen Van An,OU=SoYTe,DC=gialai,DC=gov,DC=vn', sAMAccountName: 'annv', displayName: 'Nguyễn Văn An', mail: 'AN.NV@gialai.gov.vn', department: 'Sở Y tế',
        userAccountControl: '66048', lastLogonTimestamp: '134071200000000000', whenCreated: '20240102030405.0Z',
        memberOf: ['CN=Domain Admins,CN=Users,DC=gialai,DC=gov,DC=vn', 'CN=Ke toan\\, tai vu,OU=Groups,DC=gialai,DC=gov,DC=vn'],
      },
      { dn: 'CN=Old,DC=gialai,DC=gov,DC=vn', sAMAccountName: 'old.user', userAccountControl: '514', lastLogonTimestamp: '0' },
      { dn: 'CN=NoName,DC=gialai,DC=gov,DC=vn', cn: 'no account name' },
    ];
    const out = entriesToAccounts(entries, SETTINGS);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({
      username: 'annv', email: 'an.nv@gialai.gov.vn', unitText: 'Sở Y tế', roles: ['Domain Admins', 'Ke toan, tai vu'], privileged: true, enabled: true, locked: false,
      lastLoginAt: '2025-11-09T00:00:00.000Z', createdAt: '2024-01-02T03:04:05.000Z', mfa: null,
    });
    expect(out[1]).toMatchObject({ username: 'old.user', enabled: false, privileged: false, lastLoginAt: null, roles: [] });
    expect(groupName('cn=Domain Admins,cn=Users')).toBe('Domain Admins');
  });
});

// A real OpenLDAP (Debian slapd) on a loopback port with a throw-away config and database.
const SLAPD = '/usr/sbin/slapd';
const hasSlapd = existsSync(SLAPD) && existsSync('/usr/lib/ldap/back_mdb.so');
const SUFFIX = 'dc=gialai,dc=gov,dc=vn';
const LDIF = `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
o: Gia Lai
dc: gialai

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: uid=annv,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: annv
cn: Nguyen Van An
displayName: Nguyen Van An
sn: Nguyen
mail: an.nv@gialai.gov.vn
ou: So Y te

dn: uid=ketoan,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: ketoan
cn: Ke toan
sn: Ke toan

${Array.from({ length: 30 }, (_, i) => `dn: uid=nguoidung.${i}a,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: nguoidung.${i}a
cn: Nguoi dung ${i}
sn: Nguoi
`).join('\n')}
dn: cn=Domain Admins,${SUFFIX}
objectClass: groupOfNames
cn: Domain Admins
member: uid=annv,ou=people,${SUFFIX}

dn: cn=Ke toan,${SUFFIX}
objectClass: groupOfNames
cn: Ke toan
member: uid=annv,ou=people,${SUFFIX}
member: uid=ketoan,ou=people,${SUFFIX}
`;

describe.skipIf(!hasSlapd)('OpenLDAP import (real slapd)', () => {
  let dir: string;
  let proc: ChildProcess | undefined;
  let url: string;
  let ctx: TestContext;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'khien-slapd-'));
    mkdirSync(join(dir, 'db'));
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    url = `ldap://127.0.0.1:${port}`;
    writeFileSync(join(dir, 'slapd.conf'), [
      'include /etc/ldap/schema/core.schema', 'include /etc/ldap/schema/cosine.schema', 'include /etc/ldap/schema/inetorgperson.schema',
      'modulepath /usr/lib/ldap', 'moduleload back_mdb', `pidfile ${dir}/slapd.pid`, 'sizelimit 10',
      'database mdb', `suffix "${SUFFIX}"`, `rootdn "cn=admin,${SUFFIX}"`, 'rootpw mat-khau-thu', `directory ${dir}/db`, 'maxsize 10485760', 'limits dn.exact="cn=admin,dc=gialai,dc=gov,dc=vn" size.prtotal=unlimited size.soft=10',
    ].join('\n'));
    writeFileSync(join(dir, 'data.ldif'), LDIF);
    execFileSync('/usr/sbin/slapadd', ['-f', join(dir, 'slapd.conf'), '-l', join(dir, 'data.ldif')], { stdio: 'pipe' });
    proc = spawn(SLAPD, ['-f', join(dir, 'slapd.conf'), '-h', `${url}/`, '-d', '0'], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      const c = new Client({ url, connectTimeout: 200 });
      try {
        await c.bind(`cn=admin,${SUFFIX}`, 'mat-khau-thu');
        await c.unbind();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    ctx = await createTestContext();
  }, 30_000);
  afterAll(async () => {
    if (proc?.pid) process.kill(proc.pid, 'SIGTERM');
    await ctx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const settings = () => ({ url, bindDn: `cn=admin,${SUFFIX}`, baseDn: SUFFIX, filter: '(objectClass=inetOrgPerson)', privilegedGroups: ['Domain Admins'], mfaAttribute: null, pageSize: 10 });

  it('binds, pages through more entries than the size limit, and reads group membership', async () => {
    const accounts = await fetchLdapAccounts(settings(), 'mat-khau-thu');
    expect(accounts).toHaveLength(32);
    const an = accounts.find((a) => a.username === 'annv')!;
    expect(an).toMatchObject({ email: 'an.nv@gialai.gov.vn', displayName: 'Nguyen Van An', unitText: 'So Y te', privileged: true, enabled: true });
    expect(an.roles.sort()).toEqual(['Domain Admins', 'Ke toan']);
  });

  it('a wrong password is a clear error', async () => {
    await expect(fetchLdapAccounts(settings(), 'sai')).rejects.toMatchObject({ code: 'account.ldap_failed' });
  });

  it('imports through the API with the bind password kept encrypted, and reconciles with the roster', async () => {
    const unit = await insertUnit(ctx, { code: 'SO-YT', name: 'Sở Y tế' });
    const manager = await insertUserWithSession(ctx, { unitId: unit.id, grants: [{ role: 'unit_manager', unitId: unit.id }] });
    const now = nowIso(ctx.now);
    const personId = newId();
    await ctx.db.insertInto('people').values({
      id: personId, full_name: 'Nguyễn Văn An', name_folded: 'nguyen van an', citizen_id_hash: null, citizen_id_masked: null, date_of_birth: null, gender: null,
      email: 'an.nv@gialai.gov.vn', phone: null, unit_id: unit.id, position: null, status: 'active', status_since: null, created_at: now, updated_at: now,
    }).execute();
    const sys = (await ctx.app.inject({ method: 'POST', url: '/api/v1/systems', headers: manager.headers, payload: { code: 'SYT-AD', name: 'Thư mục AD Sở Y tế', type: 'infrastructure', ownerUnitId: unit.id } })).json();
    const src = await ctx.app.inject({ method: 'POST', url: '/api/v1/account-sources', headers: manager.headers, payload: { systemId: sys.id, name: 'LDAP', kind: 'ldap', ldap: settings(), ldapPassword: 'mat-khau-thu' } });
    expect(src.statusCode, src.body).toBe(201);
    expect(src.body).not.toContain('mat-khau-thu');
    expect(src.json().hasLdapPassword).toBe(true);
    const stored = await ctx.db.selectFrom('account_sources').select('ldap_password_enc').where('id', '=', src.json().id).executeTakeFirstOrThrow();
    expect(stored.ldap_password_enc).not.toContain('mat-khau-thu');
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/account-sources/${src.json().id}/ldap-sync`, headers: manager.headers });
    expect(res.statusCode, res.body).toBe(200);
    const snap = res.json().snapshot;
    expect(snap).toMatchObject({ origin: 'ldap', accountCount: 32 });
    expect(snap.summary.situations.linked).toBe(1);
    const findings = (await ctx.app.inject({ method: 'GET', url: `/api/v1/account-findings?systemId=${sys.id}&kind=privileged_no_mfa`, headers: manager.headers })).json();
    expect(findings.items.map((f: { username: string; personId: string }) => [f.username, f.personId])).toEqual([['annv', personId]]);
    const shared = (await ctx.app.inject({ method: 'GET', url: `/api/v1/account-findings?systemId=${sys.id}&kind=shared`, headers: manager.headers })).json();
    expect(shared.items.map((f: { username: string }) => f.username)).toEqual(['ketoan']);
  });
});
