import { z } from 'zod';

/**
 * Access-log monitoring (issue 5 items 4–6): records that information systems send (login, access, look-up in
 * the National Population Database), the per-system API keys they send them with, the search and the
 * look-up alerts. Citizen IDs are accepted in requests only to be hashed; responses never carry them in clear.
 */

export const ACCESS_ACTIONS = ['login', 'logout', 'login_failed', 'access', 'lookup', 'export'] as const;
export const AccessActionSchema = z.enum(ACCESS_ACTIONS);

const CCCD = z.string().regex(/^\d{12}$/, 'CCCD gồm đúng 12 chữ số');

/** One record as a system sends it (NDJSON line, JSON-lines line, or CSV row mapped to these names). */
export const AccessLogInputSchema = z.object({
  /** The system account (username in the sending system). */
  account: z.string().trim().min(1).max(200),
  action: AccessActionSchema,
  /** When it happened, ISO 8601 with a time zone (`2026-11-20T08:15:00+07:00` or `…Z`). */
  occurredAt: z.string().refine((v) => /[zZ]|[+-]\d{2}:?\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)), 'thời điểm ISO 8601 có múi giờ'),
  outcome: z.enum(['success', 'failure']).default('success'),
  /** The citizen ID looked up, hashed on arrival (HMAC) and never stored in clear. */
  subjectCitizenId: CCCD.optional(),
  /** The case / dossier reference (mã hồ sơ) that justifies the look-up. */
  caseRef: z.string().trim().max(100).optional(),
  ip: z.union([z.ipv4(), z.ipv6()]).optional(),
  device: z.string().trim().max(200).optional(),
  sessionId: z.string().trim().max(200).optional(),
  /** The sender's own record id: a record re-sent with the same id is acknowledged again, stored once. */
  recordId: z.string().trim().max(200).optional(),
});
export type AccessLogInput = z.infer<typeof AccessLogInputSchema>;

export const IngestReceiptSchema = z.object({
  batchId: z.string(),
  systemId: z.string(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  receivedAt: z.string(),
});
export type IngestReceipt = z.infer<typeof IngestReceiptSchema>;

export const ApiKeySchema = z.object({
  id: z.string(),
  systemId: z.string(),
  name: z.string(),
  purpose: z.string(),
  hint: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;
export const ApiKeyCreateSchema = z.object({ name: z.string().trim().min(3).max(200) });

export const AccessRecordSchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  systemId: z.string(),
  systemName: z.string(),
  account: z.string(),
  action: z.string(),
  outcome: z.string(),
  occurredAt: z.string(),
  receivedAt: z.string(),
  source: z.string(),
  /** Masked CCCD (`064******789`); the clear value is never stored. */
  subjectMasked: z.string().nullable(),
  caseRef: z.string().nullable(),
  ip: z.string().nullable(),
  device: z.string().nullable(),
  sessionId: z.string().nullable(),
  personId: z.string().nullable(),
  personName: z.string().nullable(),
  accountSituation: z.string(),
  /** Whether the record is already a leaf of the Merkle log (its inclusion proof can be opened). */
  leafIndex: z.number().int().nullable(),
});
export type AccessRecord = z.infer<typeof AccessRecordSchema>;

/** Search (POST, so a citizen ID typed by the user never appears in a URL or an access log). */
export const AccessSearchSchema = z.object({
  citizenId: CCCD.optional(),
  personId: z.string().optional(),
  account: z.string().trim().max(200).optional(),
  systemId: z.string().optional(),
  action: AccessActionSchema.optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(500).default(50),
});
export type AccessSearch = z.input<typeof AccessSearchSchema>;

export const AccessSearchResultSchema = z.object({
  items: z.array(AccessRecordSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  /** With personId: the person's activity by system. */
  person: z.object({
    id: z.string(), fullName: z.string(), status: z.string(),
    bySystem: z.array(z.object({ systemId: z.string(), systemName: z.string(), count: z.number().int(), lookups: z.number().int(), firstAt: z.string(), lastAt: z.string() })),
  }).nullable(),
});

export const ALERT_KINDS = ['leaver_lookup', 'shared_account', 'volume_spike', 'off_hours', 'breadth_no_case', 'no_mfa', 'unlinked_account'] as const;
export const AlertKindSchema = z.enum(ALERT_KINDS);
export const ALERT_STATUSES = ['new', 'acknowledged', 'false_positive', 'escalated'] as const;
export const AlertStatusSchema = z.enum(ALERT_STATUSES);

export const LookupAlertSchema = z.object({
  id: z.string(),
  kind: AlertKindSchema,
  severity: z.enum(['low', 'medium', 'high']),
  score: z.number().int(),
  systemId: z.string(),
  systemName: z.string(),
  account: z.string(),
  personId: z.string().nullable(),
  personName: z.string().nullable(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  recordCount: z.number().int(),
  reason: z.string(),
  reasonKey: z.string(),
  reasonParams: z.record(z.string(), z.union([z.string(), z.number()])),
  evidence: z.unknown(),
  status: AlertStatusSchema,
  /** The SOC alert that mirrors this one in the SOC queue (same status), or null before it is raised. */
  socAlertId: z.string().nullable(),
  assigneeUserId: z.string().nullable(),
  assigneeName: z.string().nullable(),
  statusNote: z.string().nullable(),
  statusChangedAt: z.string().nullable(),
});
export type LookupAlert = z.infer<typeof LookupAlertSchema>;

export const AlertQuerySchema = z.object({
  status: AlertStatusSchema.optional(),
  kind: AlertKindSchema.optional(),
  systemId: z.string().optional(),
  /** One alert (links from the SOC alert page and from cases). */
  id: z.string().max(64).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});

export const AlertUpdateSchema = z.object({
  status: AlertStatusSchema.optional(),
  assigneeUserId: z.string().nullable().optional(),
  note: z.string().trim().max(2000).optional(),
});

export const EntryProofSchema = z.object({
  leafIndex: z.number().int(),
  source: z.string(),
  treeSize: z.number().int(),
  /** The record's canonical leaf data (UTF-8 JSON) — hash it with a 0x00 prefix to get leafHash. */
  leafData: z.string(),
  leafHash: z.string().describe('base64'),
  proof: z.array(z.string()).describe('base64 sibling hashes, leaf to root'),
  rootHash: z.string().describe('base64 root of the signed checkpoint'),
  checkpoint: z.string().describe('C2SP signed note'),
  /** The server's own check of the proof and of the checkpoint signature. */
  verified: z.boolean(),
  signatureValid: z.boolean(),
});
export type EntryProof = z.infer<typeof EntryProofSchema>;
