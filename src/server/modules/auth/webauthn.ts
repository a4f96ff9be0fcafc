import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Passkey } from '../../../contracts/auth.js';
import type { Config } from '../../core/config.js';
import { newId, nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import type { WebauthnCredentialRow } from './auth.table.js';

/**
 * Passkeys and security keys (WebAuthn L2) through @simplewebauthn/server. The relying party is the public
 * URL: rpID = its hostname, expected origin = its origin. The challenge lives on the session row, prefixed
 * by its purpose, and is cleared by the caller after one verification attempt (single use).
 * User verification is "preferred", not required: the passkey is the second factor after the password
 * (800-63B rev 4 AAL2 = password + possession).
 */
export function relyingParty(config: Config): { rpID: string; origin: string } {
  const url = new URL(config.publicUrl);
  return { rpID: url.hostname, origin: url.origin };
}

export type ChallengePurpose = 'reg' | 'auth';
export const challengeValue = (purpose: ChallengePurpose, challenge: string) => `${purpose}:${challenge}`;
export function challengeFor(stored: string | null, purpose: ChallengePurpose): string | null {
  return stored?.startsWith(`${purpose}:`) ? stored.slice(purpose.length + 1) : null;
}

export function toPasskey(row: WebauthnCredentialRow): Passkey {
  return { id: row.id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at };
}

function transportsOf(row: WebauthnCredentialRow): AuthenticatorTransportFuture[] | undefined {
  return row.transports ? (JSON.parse(row.transports) as AuthenticatorTransportFuture[]) : undefined;
}

export async function listCredentials(tx: Tx | Db, userId: string): Promise<WebauthnCredentialRow[]> {
  return tx.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
}

export async function registrationOptions(
  config: Config,
  user: { id: string; username: string; displayName: string },
  existing: WebauthnCredentialRow[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { rpID } = relyingParty(config);
  return generateRegistrationOptions({
    rpName: 'Khiên',
    rpID,
    userName: user.username,
    userDisplayName: user.displayName,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.credential_id, transports: transportsOf(c) })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
}

/** Verify a registration response; on success store the credential and return it. Throws on a bad response. */
export async function verifyAndStoreRegistration(
  tx: Tx | Db,
  config: Config,
  userId: string,
  expectedChallenge: string,
  response: unknown,
  name: string,
  now: number,
): Promise<WebauthnCredentialRow | null> {
  const { rpID, origin } = relyingParty(config);
  const verification = await verifyRegistrationResponse({
    response: response as RegistrationResponseJSON,
    expectedChallenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: false,
  });
  if (!verification.verified || !verification.registrationInfo) return null;
  const { credential } = verification.registrationInfo;
  const row: WebauthnCredentialRow = {
    id: newId(now),
    user_id: userId,
    credential_id: credential.id,
    public_key: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: credential.transports ? JSON.stringify(credential.transports) : null,
    name,
    created_at: nowIso(() => now),
    last_used_at: null,
  };
  await tx.insertInto('webauthn_credentials').values(row).execute();
  return row;
}

export async function authenticationOptions(config: Config, creds: WebauthnCredentialRow[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: relyingParty(config).rpID,
    allowCredentials: creds.map((c) => ({ id: c.credential_id, transports: transportsOf(c) })),
    userVerification: 'preferred',
  });
}

/**
 * Verify an assertion from one of the user's credentials and advance its signature counter (a counter that
 * does not increase signals a cloned authenticator and is refused by the library). Returns the credential
 * used, or null when the response does not verify.
 */
export async function verifyAssertion(
  tx: Tx | Db,
  config: Config,
  userId: string,
  expectedChallenge: string,
  response: unknown,
  now: number,
): Promise<WebauthnCredentialRow | null> {
  const { rpID, origin } = relyingParty(config);
  const r = response as AuthenticationResponseJSON;
  if (typeof r?.id !== 'string') return null;
  const cred = await tx
    .selectFrom('webauthn_credentials')
    .selectAll()
    .where('user_id', '=', userId)
    .where('credential_id', '=', r.id)
    .executeTakeFirst();
  if (!cred) return null;
  try {
    const v = await verifyAuthenticationResponse({
      response: r,
      expectedChallenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: { id: cred.credential_id, publicKey: Buffer.from(cred.public_key, 'base64url'), counter: cred.counter, transports: transportsOf(cred) },
      requireUserVerification: false,
    });
    if (!v.verified) return null;
    await tx
      .updateTable('webauthn_credentials')
      .set({ counter: v.authenticationInfo.newCounter, last_used_at: nowIso(() => now) })
      .where('id', '=', cred.id)
      .execute();
    return cred;
  } catch {
    return null;
  }
}
