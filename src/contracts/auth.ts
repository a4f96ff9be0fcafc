import { z } from 'zod';
import { RoleSchema } from './roles.js';

/** Login and MFA flow. A session moves through stages until `active`. */
export const SessionStageSchema = z.enum(['password_change', 'mfa_enrolment', 'mfa', 'active']);
export type SessionStage = z.infer<typeof SessionStageSchema>;

export const MfaMethodSchema = z.enum(['totp', 'webauthn', 'recovery']);
export type MfaMethod = z.infer<typeof MfaMethodSchema>;

export const LoginRequestSchema = z.object({
  username: z.string().min(1).max(200),
  password: z.string().min(1).max(1024),
});

/** After any auth step: where the session stands and what it may do next. */
export const AuthStateSchema = z.object({
  stage: SessionStageSchema,
  /** Second factors the user has (for the `mfa` stage). */
  methods: z.array(MfaMethodSchema),
  csrfToken: z.string(),
});
export type AuthState = z.infer<typeof AuthStateSchema>;

export const TotpCodeRequestSchema = z.object({ code: z.string().regex(/^\d{6}$/, '6 chữ số') });
export const RecoveryCodeRequestSchema = z.object({ code: z.string().min(8).max(64) });

export const ChangePasswordRequestSchema = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(1).max(1024),
});

export const TotpEnrolmentSchema = z.object({
  secret: z.string(),
  otpauthUrl: z.string(),
  /** SVG QR code of otpauthUrl. */
  qrSvg: z.string(),
});
export const RecoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });

export const GrantSummarySchema = z.object({
  id: z.string(),
  role: RoleSchema,
  unitId: z.string(),
  unitName: z.string(),
});
export type GrantSummary = z.infer<typeof GrantSummarySchema>;

export const MeSchema = z.object({
  user: z.object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    personId: z.string().nullable(),
    unitId: z.string(),
    /** Name of the user's own unit (shown in the header), whatever their grants. */
    unitName: z.string(),
    locale: z.enum(['vi', 'en']),
  }),
  stage: SessionStageSchema,
  csrfToken: z.string(),
  grants: z.array(GrantSummarySchema),
  permissions: z.array(z.string()),
  factors: z.object({ totp: z.boolean(), webauthn: z.number().int(), recoveryCodesLeft: z.number().int() }),
});
export type Me = z.infer<typeof MeSchema>;

export const SessionInfoSchema = z.object({
  id: z.string(),
  current: z.boolean(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  mfaMethod: MfaMethodSchema.nullable(),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

export const PasskeySchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type Passkey = z.infer<typeof PasskeySchema>;

/** WebAuthn options/responses are passed through as JSON (they follow the W3C JSON forms). */
export const WebauthnJsonSchema = z.record(z.string(), z.unknown());
export const WebauthnRegisterVerifySchema = z.object({ response: WebauthnJsonSchema, name: z.string().min(1).max(100) });
export const WebauthnAuthVerifySchema = z.object({ response: WebauthnJsonSchema });

/**
 * Answer of POST /auth/totp/confirm: where the session now stands (an enrolling session becomes `active`, with a
 * new CSRF token) and the recovery codes, shown once — `null` when the user still has unused codes (re-enrolment).
 */
export const FactorEnrolledSchema = AuthStateSchema.extend({ recoveryCodes: z.array(z.string()).nullable() });
export type FactorEnrolled = z.infer<typeof FactorEnrolledSchema>;
/** Answer of POST /auth/webauthn/register/verify: as FactorEnrolled, plus the new passkey. */
export const PasskeyEnrolledSchema = FactorEnrolledSchema.extend({ passkey: PasskeySchema });
export type PasskeyEnrolled = z.infer<typeof PasskeyEnrolledSchema>;

/** Regenerating recovery codes re-authenticates with the current password. */
export const RegenerateRecoveryCodesRequestSchema = z.object({ password: z.string().min(1).max(1024) });
export const LocaleRequestSchema = z.object({ locale: z.enum(['vi', 'en']) });
export const PasskeyRenameSchema = z.object({ name: z.string().trim().min(1).max(100) });
export const SessionListSchema = z.object({ items: z.array(SessionInfoSchema) });
export const PasskeyListSchema = z.object({ items: z.array(PasskeySchema) });
