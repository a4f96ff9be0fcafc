import { z } from 'zod';

/** Account governance: sources, snapshots, reconciliation situations and findings (issue 4). */

export const ACCOUNT_FIELDS = [
  'username', 'display_name', 'email', 'citizen_id', 'date_of_birth', 'unit', 'roles', 'privileged', 'enabled', 'last_login', 'mfa', 'created',
] as const;
export const AccountFieldSchema = z.enum(ACCOUNT_FIELDS);
export type AccountField = z.infer<typeof AccountFieldSchema>;

/** Field → the header of the system's export as it is written there (saved per source). `username` is required. */
export const AccountMappingSchema = z
  .partialRecord(AccountFieldSchema, z.string().trim().min(1).max(200))
  .refine((m) => !!m.username, { message: 'Cần chọn cột tên đăng nhập (username).' });
export type AccountMapping = z.infer<typeof AccountMappingSchema>;

export const SITUATIONS = ['linked', 'unlinked', 'unmatched', 'disputed'] as const;
export const SituationSchema = z.enum(SITUATIONS);
export const FINDING_KINDS = [
  'orphan', 'leaver', 'transferred', 'merged_unit', 'dormant', 'privileged_no_mfa', 'shared', 'multiple_accounts', 'role_mismatch',
] as const;
export const FindingKindSchema = z.enum(FINDING_KINDS);

export const LdapSettingsSchema = z.object({
  url: z.string().regex(/^ldaps?:\/\/[^\s]+$/, 'Địa chỉ phải có dạng ldap:// hoặc ldaps://'),
  bindDn: z.string().min(1).max(500),
  baseDn: z.string().min(1).max(500),
  filter: z.string().max(1000).default('(objectClass=person)'),
  /** Groups (CN, folded match) whose members are privileged, e.g. Domain Admins. */
  privilegedGroups: z.array(z.string().max(200)).max(50).default(['Domain Admins', 'Enterprise Admins', 'Administrators']),
  /** Attribute flagging MFA enrolment (e.g. a custom attribute set by the MFA product), if any. */
  mfaAttribute: z.string().max(100).nullable().default(null),
  pageSize: z.number().int().min(10).max(5000).default(500),
});
export type LdapSettings = z.infer<typeof LdapSettingsSchema>;

export const AccountSourceCreateSchema = z.object({
  systemId: z.string().max(64),
  name: z.string().trim().min(2).max(200),
  kind: z.enum(['file', 'ldap', 'push']),
  mapping: AccountMappingSchema.optional(),
  ldap: LdapSettingsSchema.optional(),
  /** Write-only. */
  ldapPassword: z.string().max(500).optional(),
  dormantDays: z.number().int().min(1).max(3650).default(45),
  /** Concurrent-login window in minutes (shared-account rule); default 30. */
  concurrentLoginMinutes: z.number().int().min(1).max(1440).nullable().default(null),
  rolePolicy: z.record(z.string().max(200), z.array(z.string().max(200)).max(200)).nullable().default(null),
  privilegedRoles: z.array(z.string().max(200)).max(100).default([]),
});
export type AccountSourceCreate = z.infer<typeof AccountSourceCreateSchema>;

export const AccountSourceSchema = z.object({
  id: z.string(),
  systemId: z.string(),
  name: z.string(),
  kind: z.enum(['file', 'ldap', 'push']),
  mapping: z.record(z.string(), z.string()),
  ldap: LdapSettingsSchema.nullable(),
  hasLdapPassword: z.boolean(),
  dormantDays: z.number(),
  /** Concurrent-login window (minutes) of the shared-account rule; null = the default 30. */
  concurrentLoginMinutes: z.number().nullable(),
  rolePolicy: z.record(z.string(), z.array(z.string())).nullable(),
  privilegedRoles: z.array(z.string()),
  /** The active push API key (never the key itself), or null. */
  apiKey: z.object({ id: z.string(), prefix: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AccountSource = z.infer<typeof AccountSourceSchema>;

export const SnapshotSummarySchema = z.object({
  situations: z.record(z.string(), z.number()),
  findings: z.record(z.string(), z.number()),
});
export const AccountSnapshotSchema = z.object({
  id: z.string(),
  sourceId: z.string(),
  systemId: z.string(),
  origin: z.string(),
  fileName: z.string().nullable(),
  takenAt: z.string(),
  accountCount: z.number(),
  summary: SnapshotSummarySchema,
});
export type AccountSnapshot = z.infer<typeof AccountSnapshotSchema>;

export const SystemAccountSchema = z.object({
  id: z.string(),
  systemId: z.string(),
  username: z.string(),
  displayName: z.string().nullable(),
  email: z.string().nullable(),
  unitText: z.string().nullable(),
  roles: z.array(z.string()),
  privileged: z.boolean(),
  enabled: z.boolean(),
  locked: z.boolean(),
  lastLoginAt: z.string().nullable(),
  mfa: z.boolean().nullable(),
  situation: SituationSchema,
  personId: z.string().nullable(),
  score: z.number(),
  rules: z.array(z.string()),
  candidates: z.array(z.object({ personId: z.string(), score: z.number(), rules: z.array(z.string()) })),
  /** Filled by the lists (not by every internal use). */
  personName: z.string().nullable().optional(),
  systemCode: z.string().optional(),
  systemName: z.string().optional(),
  findings: z.array(FindingKindSchema).optional(),
});
export type SystemAccount = z.infer<typeof SystemAccountSchema>;

export const AccountsQuerySchema = z.object({
  /** One of systemId, unitId (people of the unit's subtree, across systems) or personId (one official). */
  systemId: z.string().max(64).optional(),
  unitId: z.string().max(64).optional(),
  personId: z.string().max(64).optional(),
  situation: SituationSchema.optional(),
  findingKind: FindingKindSchema.optional(),
  q: z.string().max(200).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});

export const AccountChangeSchema = z.object({ username: z.string(), fields: z.array(z.string()) });
export const SnapshotDiffSchema = z.object({
  from: z.string(),
  to: z.string(),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(AccountChangeSchema),
});
export type SnapshotDiff = z.infer<typeof SnapshotDiffSchema>;

export const AccountFindingSchema = z.object({
  id: z.string(),
  systemId: z.string(),
  accountId: z.string(),
  username: z.string(),
  kind: FindingKindSchema,
  severity: z.enum(['high', 'medium', 'low']),
  personId: z.string().nullable(),
  reason: z.string(),
  clause: z.string(),
  createdAt: z.string(),
  /**
   * The evidence behind a finding, when it has one: for a shared account seen in the access logs,
   * `{ rule: 'concurrent_logins', windowMinutes, lookbackDays, count, terminals, pairs: [{ first, second, minutesApart }] }`.
   */
  evidence: z.object({
    rule: z.literal('concurrent_logins'),
    windowMinutes: z.number(),
    lookbackDays: z.number(),
    count: z.number(),
    terminals: z.array(z.string()),
    pairs: z.array(z.object({
      first: z.object({ at: z.string(), ip: z.string().nullable(), device: z.string().nullable() }),
      second: z.object({ at: z.string(), ip: z.string().nullable(), device: z.string().nullable() }),
      minutesApart: z.number(),
    })),
  }).nullable(),
});
export type AccountFinding = z.infer<typeof AccountFindingSchema>;

export const FindingsQuerySchema = z.object({
  systemId: z.string().max(64).optional(),
  /** Systems owned or operated within this unit's subtree (the units that must act). */
  unitId: z.string().max(64).optional(),
  kind: FindingKindSchema.optional(),
  severity: z.enum(['high', 'medium', 'low']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});

export const AccountLinkCreateSchema = z.object({
  systemId: z.string().max(64),
  username: z.string().min(1).max(300),
  personId: z.string().max(64),
  kind: z.enum(['link', 'unlink']),
  note: z.string().max(1000).optional(),
});

export const MfaCoverageRowSchema = z.object({
  systemId: z.string(),
  systemCode: z.string(),
  unitId: z.string(),
  unitCode: z.string(),
  accounts: z.number(),
  withMfa: z.number(),
  privileged: z.number(),
  privilegedWithMfa: z.number(),
  /** 0..1, null when there is nothing to measure. */
  share: z.number().nullable(),
  privilegedShare: z.number().nullable(),
});
export const MfaCoverageSchema = z.object({ items: z.array(MfaCoverageRowSchema) });
export type MfaCoverageRow = z.infer<typeof MfaCoverageRowSchema>;

export const AccountImportResultSchema = z.object({ snapshot: AccountSnapshotSchema });

export const PushAccountSchema = z.object({
  username: z.string().min(1).max(300),
  displayName: z.string().max(300).nullish(),
  email: z.string().max(300).nullish(),
  citizenId: z.string().regex(/^\d{12}$/).nullish(),
  unit: z.string().max(300).nullish(),
  roles: z.array(z.string().max(200)).max(500).default([]),
  privileged: z.boolean().default(false),
  enabled: z.boolean().default(true),
  lastLoginAt: z.string().max(40).nullish(),
  mfa: z.boolean().nullish(),
});

/** A freshly created push API key: the only time the key is shown. */
export const ApiKeyCreatedSchema = z.object({ id: z.string(), prefix: z.string(), key: z.string(), createdAt: z.string() });

// ---- Access review campaigns (issue 4 item 4) ----

export const STAGE_RULES = ['one_deny_denies', 'all_must_accept', 'one_accept_accepts', 'accepted_if_not_denied', 'first_decides'] as const;
export const StageRuleSchema = z.enum(STAGE_RULES);
export const REVIEW_DECISIONS = ['accept', 'revoke', 'reduce', 'not_decided'] as const;
export const ReviewDecisionSchema = z.enum(REVIEW_DECISIONS);
export const ReviewerKindSchema = z.enum(['unit_manager', 'system_owner']);

export const ReviewStageCreateSchema = z.object({
  name: z.string().trim().min(2).max(200),
  reviewerKind: ReviewerKindSchema,
  rule: StageRuleSchema.default('one_deny_denies'),
  durationDays: z.number().int().min(1).max(180).default(14),
  /** Reminder this many hours before the deadline (midPoint notifyBeforeDeadline). */
  remindBeforeHours: z.number().int().min(0).max(2160).default(48),
});

export const ReviewCampaignCreateSchema = z.object({
  name: z.string().trim().min(3).max(300),
  description: z.string().max(2000).nullish(),
  /** The unit running the campaign. */
  unitId: z.string().max(64),
  systemIds: z.array(z.string().max(64)).min(1).max(200),
  /** Review only accounts of people of these units (subtrees) and accounts without a person; [] = all. */
  unitIds: z.array(z.string().max(64)).max(200).default([]),
  stages: z.array(ReviewStageCreateSchema).min(1).max(5),
  /** Days the operator has to carry out a revocation before it is escalated. */
  taskDays: z.number().int().min(1).max(180).default(7),
});
export type ReviewCampaignCreate = z.infer<typeof ReviewCampaignCreateSchema>;

/** pending (before the reminder time), due_soon (reminder sent), overdue (past the deadline), closed. */
export const StageStateSchema = z.enum(['waiting', 'pending', 'due_soon', 'overdue', 'closed']);

export const ReviewStageSchema = z.object({
  ordinal: z.number(),
  name: z.string(),
  reviewerKind: ReviewerKindSchema,
  rule: StageRuleSchema,
  durationDays: z.number(),
  remindBeforeHours: z.number(),
  startedAt: z.string().nullable(),
  deadline: z.string().nullable(),
  closedAt: z.string().nullable(),
  state: StageStateSchema,
});

export const ReviewCampaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  unitId: z.string(),
  unitName: z.string(),
  systemIds: z.array(z.string()),
  unitIds: z.array(z.string()),
  status: z.enum(['running', 'closed']),
  currentStage: z.number(),
  taskDays: z.number(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  stages: z.array(ReviewStageSchema),
  counts: z.object({ items: z.number(), open: z.number(), accept: z.number(), revoke: z.number(), reduce: z.number(), notDecided: z.number() }),
  /** Whether the caller may close the current stage. */
  canManage: z.boolean(),
});
export type ReviewCampaign = z.infer<typeof ReviewCampaignSchema>;

export const ReviewResponseSchema = z.object({
  assignmentId: z.string(),
  stage: z.number(),
  reviewerId: z.string(),
  reviewerName: z.string(),
  decision: ReviewDecisionSchema.nullable(),
  comment: z.string().nullable(),
  decidedAt: z.string().nullable(),
});

export const ReviewItemSchema = z.object({
  id: z.string(),
  campaignId: z.string(),
  systemId: z.string(),
  systemCode: z.string(),
  systemName: z.string(),
  username: z.string(),
  roles: z.array(z.string()),
  personId: z.string().nullable(),
  personName: z.string().nullable(),
  unitId: z.string(),
  unitName: z.string(),
  stage: z.number(),
  stageOutcome: ReviewDecisionSchema.nullable(),
  outcome: ReviewDecisionSchema.nullable(),
  findings: z.array(FindingKindSchema),
  responses: z.array(ReviewResponseSchema),
});
export type ReviewItem = z.infer<typeof ReviewItemSchema>;

export const ReviewItemsQuerySchema = z.object({
  outcome: z.enum(['open', 'accept', 'revoke', 'reduce', 'not_decided']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});

/** One of my review assignments in a running stage. */
export const MyReviewSchema = ReviewItemSchema.extend({
  assignmentId: z.string(),
  campaignName: z.string(),
  stageName: z.string(),
  rule: StageRuleSchema,
  deadline: z.string().nullable(),
  state: StageStateSchema,
  decision: ReviewDecisionSchema.nullable(),
  comment: z.string().nullable(),
});
export type MyReview = z.infer<typeof MyReviewSchema>;

export const ReviewDecideSchema = z.object({
  decision: ReviewDecisionSchema,
  comment: z.string().trim().max(2000).default(''),
}).refine((d) => d.decision === 'accept' || d.decision === 'not_decided' || d.comment.length >= 3, { message: 'Thu hồi hoặc giảm quyền cần ghi lý do.', path: ['comment'] });

export const RevocationTaskSchema = z.object({
  id: z.string(),
  campaignId: z.string().nullable(),
  campaignName: z.string().nullable(),
  systemId: z.string(),
  systemCode: z.string(),
  systemName: z.string(),
  username: z.string(),
  personId: z.string().nullable(),
  personName: z.string().nullable(),
  kind: z.enum(['revoke', 'reduce']),
  roles: z.array(z.string()),
  reason: z.string().nullable(),
  unitId: z.string(),
  unitName: z.string(),
  status: z.enum(['open', 'verified']),
  dueAt: z.string(),
  overdue: z.boolean(),
  escalatedAt: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  verifiedSnapshotId: z.string().nullable(),
  operatorNote: z.string().nullable(),
  createdAt: z.string(),
});
export type RevocationTask = z.infer<typeof RevocationTaskSchema>;

export const RevocationTasksQuerySchema = z.object({
  status: z.enum(['open', 'verified', 'overdue']).optional(),
  systemId: z.string().max(64).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});

export const ReviewNoticeSchema = z.object({
  id: z.string(),
  kind: z.enum(['reminder', 'overdue', 'escalation', 'task_overdue']),
  campaignId: z.string().nullable(),
  taskId: z.string().nullable(),
  message: z.string(),
  createdAt: z.string(),
});
export type ReviewNotice = z.infer<typeof ReviewNoticeSchema>;

export const TickResultSchema = z.object({ reminders: z.number(), overdue: z.number(), escalations: z.number(), tasksEscalated: z.number(), stagesClosed: z.number() });
export type TickResult = z.infer<typeof TickResultSchema>;

/** The headers and first rows of an uploaded export, with a guessed mapping, for the column-mapping step. */
export const FilePreviewSchema = z.object({
  fileName: z.string(),
  headers: z.array(z.string()),
  sample: z.array(z.array(z.string())),
  rowCount: z.number(),
  suggested: z.partialRecord(AccountFieldSchema, z.string()),
});

export const AccountSourceUpdateSchema = z.object({
  name: z.string().trim().min(2).max(200).optional(),
  mapping: AccountMappingSchema.optional(),
  dormantDays: z.number().int().min(1).max(3650).optional(),
  concurrentLoginMinutes: z.number().int().min(1).max(1440).nullable().optional(),
  privilegedRoles: z.array(z.string().max(200)).max(100).optional(),
});
