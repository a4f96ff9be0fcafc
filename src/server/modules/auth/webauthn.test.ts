import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthClient } from '../../../../test/support/auth-client.js';
import { createTestContext, insertUnit, type TestContext } from '../../../../test/support/context.js';
import { createAdminUser } from './bootstrap.js';

// --- A software authenticator (WebAuthn L2, attestation "none", ES256) ------------------------------------

/** Minimal CBOR (RFC 8949) encoder: unsigned/negative integers, byte and text strings, maps. */
function cbor(value: unknown): Buffer {
  const head = (major: number, n: number): Buffer => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') {
    const b = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, b.length), b]);
  }
  if (value instanceof Map) {
    const parts: Buffer[] = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  throw new Error(`cbor: unsupported ${typeof value}`);
}

const b64u = (b: Buffer) => b.toString('base64url');
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();

class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  signCount = 0;

  constructor(
    private readonly rpId: string,
    private readonly origin: string,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    this.publicJwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  }

  private clientData(type: string, challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
  }

  /** navigator.credentials.create() → RegistrationResponseJSON. */
  register(options: { challenge: string }) {
    const cose = cbor(
      new Map<number, unknown>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(this.publicJwk.x, 'base64url')],
        [-3, Buffer.from(this.publicJwk.y, 'base64url')],
      ]),
    );
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(this.credentialId.length);
    const count = Buffer.alloc(4);
    const authData = Buffer.concat([sha256(this.rpId), Buffer.from([0x41]), count, Buffer.alloc(16), idLen, this.credentialId, cose]); // UP | AT
    const attestationObject = cbor(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return {
      id: b64u(this.credentialId),
      rawId: b64u(this.credentialId),
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: b64u(this.clientData('webauthn.create', options.challenge)), attestationObject: b64u(attestationObject), transports: ['internal'] },
    };
  }

  /** navigator.credentials.get() → AuthenticationResponseJSON (optionally signed with another key: a forgery). */
  assert(options: { challenge: string }, forgeWith?: KeyObject) {
    this.signCount += 1;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.signCount);
    const authData = Buffer.concat([sha256(this.rpId), Buffer.from([0x05]), count]); // UP | UV
    const clientDataJSON = this.clientData('webauthn.get', options.challenge);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), forgeWith ?? this.privateKey);
    return {
      id: b64u(this.credentialId),
      rawId: b64u(this.credentialId),
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: b64u(clientDataJSON), authenticatorData: b64u(authData), signature: b64u(signature) },
    };
  }
}

// --- Tests -------------------------------------------------------------------------------------------------

let ctx: TestContext;
let unitId: string;
const PASSWORD = 'sương mù phủ kín đỉnh núi hàm rồng';

beforeAll(async () => {
  ctx = await createTestContext();
  unitId = (await insertUnit(ctx)).id;
});
afterAll(async () => ctx?.close());

describe('passkeys', () => {
  it('enrols a passkey as the first factor, signs in with it, and refuses forged or replayed assertions', async () => {
    const { userId, password } = await createAdminUser({ db: ctx.db, clock: ctx.now }, { username: 'phamhung', displayName: 'Phạm Hùng', unitId });
    const c = new AuthClient(ctx.app);
    await c.post('/auth/login', { username: 'phamhung', password });
    await c.post('/auth/password', { currentPassword: password, newPassword: PASSWORD });

    const regOptions = await c.post('/auth/webauthn/register/options');
    expect(regOptions.status).toBe(200);
    expect(regOptions.body.rp).toEqual({ name: 'Khiên', id: 'localhost' });
    expect(regOptions.body.attestation).toBe('none');
    const authenticator = new SoftAuthenticator('localhost', 'http://localhost:8080');

    // A response for another origin (phishing site) is refused.
    const phished = new SoftAuthenticator('localhost', 'https://khien-gialai.example');
    const bad = await c.post('/auth/webauthn/register/verify', { response: phished.register(regOptions.body), name: 'giả' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('auth.webauthn_invalid');

    const again = await c.post('/auth/webauthn/register/options');
    const reg = await c.post('/auth/webauthn/register/verify', { response: authenticator.register(again.body), name: 'Khoá YubiKey' });
    expect(reg.status).toBe(200);
    expect(reg.body.stage).toBe('active');
    expect(reg.body.recoveryCodes).toHaveLength(10);
    expect(reg.body.passkey.name).toBe('Khoá YubiKey');
    // The challenge was single use.
    const reuse = await c.post('/auth/webauthn/register/verify', { response: authenticator.register(again.body), name: 'lần hai' });
    expect(reuse.body.error.code).toBe('auth.challenge_missing');
    await c.post('/auth/logout');

    const d = new AuthClient(ctx.app);
    const login = await d.post('/auth/login', { username: 'phamhung', password: PASSWORD });
    expect(login.body).toMatchObject({ stage: 'mfa', methods: ['webauthn', 'recovery'] });

    const opts1 = await d.post('/auth/mfa/webauthn/options');
    expect(opts1.body.allowCredentials).toEqual([expect.objectContaining({ id: b64u(authenticator.credentialId) })]);
    const forged = await d.post('/auth/mfa/webauthn/verify', { response: authenticator.assert(opts1.body, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey) });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('auth.mfa_invalid');
    const audit = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'auth.mfa').where('actor_user_id', '=', userId).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ outcome: 'failure', reason: 'webauthn_invalid' });

    const opts2 = await d.post('/auth/mfa/webauthn/options');
    const assertion = authenticator.assert(opts2.body);
    const ok = await d.post('/auth/mfa/webauthn/verify', { response: assertion });
    expect(ok.status).toBe(200);
    expect(ok.body.stage).toBe('active');
    const stored = await ctx.db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow();
    expect(stored.counter).toBe(authenticator.signCount);
    expect(stored.last_used_at).not.toBeNull();

    // Replaying the captured assertion in a new login: the challenge differs, so it is refused.
    const e = new AuthClient(ctx.app);
    await e.post('/auth/login', { username: 'phamhung', password: PASSWORD });
    await e.post('/auth/mfa/webauthn/options');
    expect((await e.post('/auth/mfa/webauthn/verify', { response: assertion })).status).toBe(401);
    // Without asking for options first there is no challenge at all.
    expect((await e.post('/auth/mfa/webauthn/verify', { response: assertion })).body.error.code).toBe('auth.challenge_missing');

    // Owner management: list, rename; the last factor cannot be deleted.
    const list = await d.get('/auth/passkeys');
    expect(list.body.items).toHaveLength(1);
    const id = list.body.items[0].id;
    const renamed = await d.request('PATCH', `/auth/passkeys/${id}`, { name: 'Khoá trên máy bàn' });
    expect(renamed.body.name).toBe('Khoá trên máy bàn');
    const del = await d.del(`/auth/passkeys/${id}`);
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe('auth.last_factor');

    // With a second passkey the first one can go; another user cannot touch it.
    const second = new SoftAuthenticator('localhost', 'http://localhost:8080');
    const o = await d.post('/auth/webauthn/register/options');
    expect(o.body.excludeCredentials).toHaveLength(1);
    const r2 = await d.post('/auth/webauthn/register/verify', { response: second.register(o.body), name: 'Điện thoại' });
    expect(r2.status).toBe(200);
    expect(r2.body.recoveryCodes).toBeNull(); // codes were already issued
    expect((await d.del(`/auth/passkeys/${id}`)).status).toBe(200);
    expect((await d.get('/auth/passkeys')).body.items.map((p: { name: string }) => p.name)).toEqual(['Điện thoại']);
    const removed = await ctx.db.selectFrom('audit_events').select('action').where('action', '=', 'auth.factor_remove').where('actor_user_id', '=', userId).execute();
    expect(removed).toHaveLength(1);
  });
});
