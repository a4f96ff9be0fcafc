import type { Selectable } from 'kysely';

/** Server-side sessions. The cookie holds a random token; only its SHA-256 is stored (`id`). */
export interface SessionsTable {
  id: string;
  user_id: string;
  /** password_change | mfa_enrolment | mfa | active: what the session may do next. */
  stage: string;
  csrf_token: string;
  /** The second factor that completed this session: totp | webauthn | recovery (null before MFA). */
  mfa_method: string | null;
  /** Pending WebAuthn challenge (registration or authentication), single use. */
  challenge: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
  /** Absolute expiry; the idle timeout is checked against last_seen_at. */
  expires_at: string;
  ended_at: string | null;
  /** logout | idle | expired | admin | disabled | password_changed | user */
  end_reason: string | null;
}
export type SessionRow = Selectable<SessionsTable>;

/** TOTP authenticators (RFC 6238). The secret is encrypted with the instance key. */
export interface TotpFactorsTable {
  id: string;
  user_id: string;
  secret_enc: string;
  confirmed_at: string | null;
  /** The last accepted 30-second step: a code is accepted once (ASVS 5 6.5.1). */
  last_used_step: number | null;
  created_at: string;
}
export type TotpFactorRow = Selectable<TotpFactorsTable>;

/** WebAuthn passkeys / security keys. */
export interface WebauthnCredentialsTable {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  counter: number;
  transports: string | null;
  name: string;
  created_at: string;
  last_used_at: string | null;
}
export type WebauthnCredentialRow = Selectable<WebauthnCredentialsTable>;

/** One-time recovery codes, stored hashed. */
export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}
export type RecoveryCodeRow = Selectable<RecoveryCodesTable>;

export interface AuthTables {
  sessions: SessionsTable;
  totp_factors: TotpFactorsTable;
  webauthn_credentials: WebauthnCredentialsTable;
  recovery_codes: RecoveryCodesTable;
}
