import { z } from 'zod';
import { pageOf } from './common.js';

/**
 * Incident response (issue 7): cases built from alerts of any source, SOP playbooks whose steps become tasks,
 * legal clocks and SLA targets, notifications and incident reports. Field sets follow TheHive 5 and DFIR-IRIS
 * (research/soc.md §3.2–3.3): severity 1–4, TLP 2.0, PAP, IR-lifecycle phases, mandatory tasks with due dates.
 */

/** TheHive severity 1 Low … 4 Critical (soc.md §3.2). */
export const CASE_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const CaseSeveritySchema = z.enum(CASE_SEVERITIES);
export type CaseSeverity = z.infer<typeof CaseSeveritySchema>;
export const severityRank = (s: CaseSeverity): number => CASE_SEVERITIES.indexOf(s);

/** TLP 2.0 values as DFIR-IRIS uses them (soc.md §3.3). */
export const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export const TlpSchema = z.enum(TLPS);
export const PAPS = ['clear', 'green', 'amber', 'red'] as const;
export const PapSchema = z.enum(PAPS);

export const CASE_CATEGORIES = [
  'malware', 'ransomware', 'account_compromise', 'data_leak', 'web_defacement', 'ddos', 'phishing', 'insider_misuse', 'vuln_exploitation', 'other',
] as const;
export const CaseCategorySchema = z.enum(CASE_CATEGORIES);
export type CaseCategory = z.infer<typeof CaseCategorySchema>;

/** IR lifecycle (DFIR-IRIS states; TT 20/2017 Điều 11 process: contain → eradicate → restore → lessons). */
export const CASE_PHASES = ['triage', 'containment', 'eradication', 'recovery', 'post_incident', 'closed'] as const;
export const CasePhaseSchema = z.enum(CASE_PHASES);
export type CasePhase = z.infer<typeof CasePhaseSchema>;

/** Why a case was closed (DFIR-IRIS resolution statuses, soc.md §3.3). */
export const CLOSE_REASONS = ['resolved', 'false_positive', 'duplicate', 'no_impact', 'transferred'] as const;
export const CloseReasonSchema = z.enum(CLOSE_REASONS);

/** Where an escalated alert comes from: the SOC pipeline, look-up analytics, vulnerability or availability events. */
export const ALERT_KINDS = ['soc', 'lookup', 'vuln', 'availability'] as const;
export const AlertKindSchema = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKindSchema>;

/**
 * Reporting regimes. `nd331`: NĐ 331/2026 Đ31.2.d — initial notice within 24 h, full report within 72 h of
 * detection; `qd05`: the legacy QĐ 05/2017/QĐ-TTg Điều 11 / TT 20/2017 Điều 9 rule — report within 5 days.
 */
export const REGIMES = ['nd331', 'qd05'] as const;
export const RegimeSchema = z.enum(REGIMES);
export type Regime = z.infer<typeof RegimeSchema>;

export const CLOCK_KINDS = ['acknowledge', 'resolve', 'initial_notice', 'full_report'] as const;
export const ClockKindSchema = z.enum(CLOCK_KINDS);
export type ClockKind = z.infer<typeof ClockKindSchema>;
export const CLOCK_STATES = ['running', 'warning', 'overdue', 'met', 'met_late'] as const;
export const ClockStateSchema = z.enum(CLOCK_STATES);

export const OBSERVABLE_TYPES = ['ip', 'domain', 'url', 'hash', 'account', 'email', 'citizen_id'] as const;
export const ObservableTypeSchema = z.enum(OBSERVABLE_TYPES);
export type ObservableType = z.infer<typeof ObservableTypeSchema>;

/** Who does a playbook step: the affected unit, the system's operator, the provincial police (PA05), the SOC. */
export const STEP_WHO = ['unit', 'operator', 'police', 'soc'] as const;
export const StepWhoSchema = z.enum(STEP_WHO);
export const CASE_TASK_STATUSES = ['todo', 'in_progress', 'done', 'skipped'] as const;
export const CaseTaskStatusSchema = z.enum(CASE_TASK_STATUSES);

export const REPORT_KINDS = ['initial_notice', 'closing_report'] as const;
export const ReportKindSchema = z.enum(REPORT_KINDS);

const Ref = z.object({ id: z.string(), code: z.string().nullable(), name: z.string() });
const UserRef = z.object({ id: z.string(), username: z.string(), displayName: z.string() });

export const AlertRefInputSchema = z.object({ kind: AlertKindSchema, id: z.string().min(1).max(200) });

export const CaseAlertSchema = z.object({
  kind: AlertKindSchema,
  refId: z.string(),
  title: z.string(),
  /** Severity when escalated (a snapshot; the source may change it later). */
  severity: CaseSeveritySchema,
  rule: z.string().nullable(),
  occurredAt: z.string().nullable(),
  linkedAt: z.string(),
});

export const AffectedSchema = z.object({
  systemIds: z.array(z.string()).max(100).default([]),
  assetIds: z.array(z.string()).max(500).default([]),
  unitIds: z.array(z.string()).max(200).default([]),
  /** Free text: people affected (officials whose accounts were taken, citizens by count …). */
  people: z.string().max(2000).default(''),
});

export const CaseCreateSchema = z.object({
  title: z.string().trim().min(3).max(300),
  description: z.string().max(20_000).default(''),
  severity: CaseSeveritySchema.default('medium'),
  tlp: TlpSchema.default('amber'),
  pap: PapSchema.default('amber'),
  category: CaseCategorySchema,
  unitId: z.string().min(1),
  occurredAt: z.string().datetime().optional(),
  detectedAt: z.string().datetime().optional(),
  affected: AffectedSchema.default({ systemIds: [], assetIds: [], unitIds: [], people: '' }),
  alerts: z.array(AlertRefInputSchema).max(100).default([]),
  assigneeIds: z.array(z.string()).max(20).default([]),
  /** Attach a playbook by key now; otherwise one is chosen by category / alert rule. `none` attaches nothing. */
  playbookKey: z.string().max(100).optional(),
});
export type CaseCreate = z.input<typeof CaseCreateSchema>;

export const CaseUpdateSchema = z.object({
  title: z.string().trim().min(3).max(300).optional(),
  description: z.string().max(20_000).optional(),
  severity: CaseSeveritySchema.optional(),
  tlp: TlpSchema.optional(),
  pap: PapSchema.optional(),
  category: CaseCategorySchema.optional(),
  affected: AffectedSchema.optional(),
});

export const PhaseChangeSchema = z.object({
  phase: CasePhaseSchema,
  closeReason: CloseReasonSchema.optional(),
  note: z.string().max(2000).optional(),
});

export const ClassifySchema = z.object({
  reportable: z.boolean(),
  regime: RegimeSchema.default('nd331'),
  /** Signs of a threat to national security or social order: report immediately (NĐ 331 Đ31.2.d). */
  immediate: z.boolean().default(false),
  note: z.string().max(2000).optional(),
});

export const MembersSchema = z.object({
  assigneeIds: z.array(z.string()).max(20),
  watcherIds: z.array(z.string()).max(50),
});

export const CommentCreateSchema = z.object({ text: z.string().trim().min(1).max(10_000) });

export const ObservableCreateSchema = z.object({
  type: ObservableTypeSchema,
  value: z.string().trim().min(1).max(2000),
  ioc: z.boolean().default(true),
  note: z.string().max(1000).optional(),
});

export const ObservableSchema = z.object({
  id: z.string(),
  type: ObservableTypeSchema,
  /** Clear value; a citizen ID is shown masked only (never stored in clear). */
  value: z.string(),
  ioc: z.boolean(),
  note: z.string().nullable(),
  createdAt: z.string(),
  /** Other cases where the same observable was seen (only those the reader may see are named). */
  seenIn: z.array(z.object({ caseId: z.string(), number: z.string(), title: z.string() })),
  /** Count of all other cases with it, including those outside the reader's scope. */
  seenCount: z.number().int(),
});

export const TaskSchema = z.object({
  id: z.string(),
  playbookKey: z.string().nullable(),
  phase: CasePhaseSchema,
  title: z.string(),
  who: StepWhoSchema,
  evidence: z.array(z.string()),
  decision: z.string().nullable(),
  mandatory: z.boolean(),
  status: CaseTaskStatusSchema,
  ownerUnit: Ref.nullable(),
  assignee: UserRef.nullable(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  doneAt: z.string().nullable(),
  note: z.string().nullable(),
  order: z.number().int(),
});
export type CaseTask = z.infer<typeof TaskSchema>;

export const TaskUpdateSchema = z.object({
  status: CaseTaskStatusSchema.optional(),
  assigneeId: z.string().nullable().optional(),
  note: z.string().max(5000).optional(),
});

export const TaskCreateSchema = z.object({
  title: z.string().trim().min(3).max(300),
  phase: CasePhaseSchema.default('triage'),
  who: StepWhoSchema.default('soc'),
  mandatory: z.boolean().default(false),
  dueAt: z.string().datetime().optional(),
});

export const ClockSchema = z.object({
  kind: ClockKindSchema,
  regime: z.string().nullable(),
  startedAt: z.string(),
  dueAt: z.string(),
  metAt: z.string().nullable(),
  state: ClockStateSchema,
  /** Milliseconds left (negative when overdue); null once met. */
  remainingMs: z.number().nullable(),
  basis: z.string(),
});

export const TimelineEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  kind: z.string(),
  actor: z.string().nullable(),
  text: z.string(),
});

export const AttachmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  mime: z.string(),
  uploadedAt: z.string(),
  uploadedBy: z.string().nullable(),
});

export const ReportSchema = z.object({
  id: z.string(),
  kind: ReportKindSchema,
  number: z.string(),
  format: z.enum(['docx', 'pdf']),
  sha256: z.string(),
  size: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
});

export const CaseSummarySchema = z.object({
  id: z.string(),
  number: z.string(),
  title: z.string(),
  severity: CaseSeveritySchema,
  category: CaseCategorySchema,
  phase: CasePhaseSchema,
  tlp: TlpSchema,
  unit: Ref,
  reportable: z.boolean(),
  assignees: z.array(UserRef),
  /** The nearest unmet clock's due instant, and whether any clock is overdue. */
  nextDueAt: z.string().nullable(),
  overdue: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CaseSummary = z.infer<typeof CaseSummarySchema>;

export const CaseDetailSchema = CaseSummarySchema.extend({
  description: z.string(),
  pap: PapSchema,
  closeReason: CloseReasonSchema.nullable(),
  regime: RegimeSchema.nullable(),
  immediate: z.boolean(),
  affected: z.object({
    systems: z.array(Ref),
    assets: z.array(Ref),
    units: z.array(Ref),
    people: z.string(),
  }),
  watchers: z.array(UserRef),
  alerts: z.array(CaseAlertSchema),
  tasks: z.array(TaskSchema),
  playbooks: z.array(z.object({ key: z.string(), version: z.number().int(), title: z.string() })),
  progress: z.object({ done: z.number().int(), total: z.number().int(), mandatoryOpen: z.number().int() }),
  clocks: z.array(ClockSchema),
  observables: z.array(ObservableSchema),
  attachments: z.array(AttachmentSchema),
  reports: z.array(ReportSchema),
  timeline: z.array(TimelineEntrySchema),
  timelineTotal: z.number().int(),
  metrics: z.object({
    occurredAt: z.string().nullable(),
    detectedAt: z.string(),
    acknowledgedAt: z.string().nullable(),
    containedAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
  }),
  can: z.object({ write: z.boolean(), manage: z.boolean() }),
});
export type CaseDetail = z.infer<typeof CaseDetailSchema>;

export const CaseQuerySchema = z.object({
  q: z.string().max(200).optional(),
  phase: z.enum([...CASE_PHASES, 'open']).optional(),
  severity: CaseSeveritySchema.optional(),
  category: CaseCategorySchema.optional(),
  unitId: z.string().optional(),
  mine: z.enum(['true', 'false']).optional(),
  reportable: z.enum(['true', 'false']).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
/** `totalCapped`: more than `total` (10,000) cases match; the queue shows "10.000+". */
export const CasePageSchema = pageOf(CaseSummarySchema).extend({ totalCapped: z.boolean() });

export const MyTaskSchema = TaskSchema.extend({ caseId: z.string(), caseNumber: z.string(), caseTitle: z.string() });

export const EscalationCandidateSchema = z.object({
  kind: AlertKindSchema,
  id: z.string(),
  title: z.string(),
  severity: CaseSeveritySchema,
  unit: Ref.nullable(),
  occurredAt: z.string().nullable(),
  rule: z.string().nullable(),
  caseIds: z.array(z.string()),
});

export const EscalateSchema = z.object({
  alerts: z.array(AlertRefInputSchema).min(1).max(100),
  /** Attach to an existing case instead of creating one. */
  caseId: z.string().optional(),
  title: z.string().trim().min(3).max(300).optional(),
  category: CaseCategorySchema.optional(),
  unitId: z.string().optional(),
});

// Playbooks -----------------------------------------------------------------------------------------------

export const PlaybookStepSchema = z.object({
  key: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a-z, 0-9, -').max(60),
  title: z.string().min(3).max(300),
  who: StepWhoSchema,
  /** Hours after the playbook is attached. */
  dueHours: z.number().positive().max(24 * 90),
  mandatory: z.boolean().default(false),
  evidence: z.array(z.string().max(300)).max(30).default([]),
  /** A decision point: the question the step answers and where each answer leads. */
  decision: z.string().max(1000).optional(),
}).strict();

export const PlaybookDocSchema = z.object({
  key: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a-z, 0-9, -').max(60),
  title: z.string().min(3).max(200),
  titleEn: z.string().min(3).max(200),
  description: z.string().max(5000).default(''),
  categories: z.array(CaseCategorySchema).max(10).default([]),
  /** Alert rules (ids or titles) that attach this playbook when a case is created from their alerts. */
  alertRules: z.array(z.string().max(200)).max(50).default([]),
  references: z.array(z.string().max(300)).max(20).default([]),
  phases: z.array(z.object({
    phase: CasePhaseSchema.exclude(['closed']),
    steps: z.array(PlaybookStepSchema).min(1).max(50),
  }).strict()).min(1).max(5),
}).strict();
export type PlaybookDoc = z.infer<typeof PlaybookDocSchema>;

export const PlaybookSummarySchema = z.object({
  key: z.string(),
  version: z.number().int(),
  title: z.string(),
  titleEn: z.string(),
  categories: z.array(CaseCategorySchema),
  alertRules: z.array(z.string()),
  steps: z.number().int(),
  mandatorySteps: z.number().int(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});

export const PlaybookDetailSchema = PlaybookSummarySchema.extend({
  yaml: z.string(),
  doc: PlaybookDocSchema,
  versions: z.array(z.object({ version: z.number().int(), createdAt: z.string(), createdBy: z.string().nullable() })),
});

export const PlaybookSaveSchema = z.object({ yaml: z.string().min(10).max(200_000) });
export const PlaybookValidateResultSchema = z.object({
  ok: z.boolean(),
  problems: z.array(z.object({ path: z.string(), line: z.number().int().nullable(), message: z.string() })),
});

// Notifications ---------------------------------------------------------------------------------------------

export const NOTIFY_EVENTS = ['case.created', 'case.phase_changed', 'case.closed', 'case.reportable', 'clock.warning', 'clock.overdue', 'task.assigned'] as const;
export const NotifyEventSchema = z.enum(NOTIFY_EVENTS);
export type NotifyEvent = z.infer<typeof NotifyEventSchema>;
export const CHANNEL_KINDS = ['email', 'telegram', 'webhook'] as const;
export const ChannelKindSchema = z.enum(CHANNEL_KINDS);

export const ChannelCreateSchema = z.object({
  kind: ChannelKindSchema,
  name: z.string().trim().min(2).max(200),
  /** E-mail address, Telegram chat id, or webhook URL. */
  target: z.string().trim().min(1).max(2000),
  /** Webhook HMAC secret (write-only, ≥ 16 characters). */
  secret: z.string().min(16).max(500).optional(),
  unitId: z.string().min(1),
  minSeverity: CaseSeveritySchema.default('low'),
  categories: z.array(CaseCategorySchema).default([]),
  events: z.array(NotifyEventSchema).default([]),
  enabled: z.boolean().default(true),
});

export const ChannelSchema = z.object({
  id: z.string(),
  kind: ChannelKindSchema,
  name: z.string(),
  target: z.string(),
  hasSecret: z.boolean(),
  unit: Ref,
  minSeverity: CaseSeveritySchema,
  categories: z.array(CaseCategorySchema),
  events: z.array(NotifyEventSchema),
  enabled: z.boolean(),
  createdAt: z.string(),
});

export const PreferencesSchema = z.object({
  email: z.boolean(),
  telegramChatId: z.string().max(100).nullable(),
  minSeverity: CaseSeveritySchema,
  events: z.array(NotifyEventSchema),
});

export const DeliverySchema = z.object({
  id: z.string(),
  channel: z.string(),
  kind: ChannelKindSchema,
  event: z.string(),
  caseId: z.string().nullable(),
  target: z.string(),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  responseStatus: z.number().int().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});

// Metrics --------------------------------------------------------------------------------------------------

export const MetricsRowSchema = z.object({
  unit: Ref,
  month: z.string(),
  cases: z.number().int(),
  /** Mean minutes; null when no case of the group has the timestamp. */
  mttd: z.number().nullable(),
  mtta: z.number().nullable(),
  mttc: z.number().nullable(),
  mttr: z.number().nullable(),
});

export const DashboardSchema = z.object({
  open: z.number().int(),
  byPhase: z.record(z.string(), z.number().int()),
  bySeverity: z.record(z.string(), z.number().int()),
  overdueClocks: z.array(z.object({ caseId: z.string(), number: z.string(), title: z.string(), kind: ClockKindSchema, dueAt: z.string() })),
  trend: z.array(z.object({ month: z.string(), cases: z.number().int(), mtta: z.number().nullable(), mttr: z.number().nullable() })),
  metrics: z.array(MetricsRowSchema),
});

export const MonthlyReportSchema = z.object({
  month: z.string(),
  alerts: z.record(z.string(), z.number().int()),
  cases: z.object({ opened: z.number().int(), closed: z.number().int(), bySeverity: z.record(z.string(), z.number().int()), byCategory: z.record(z.string(), z.number().int()) }),
  topRules: z.array(z.object({ rule: z.string(), count: z.number().int() })),
  deadlines: z.object({ total: z.number().int(), met: z.number().int(), late: z.number().int(), open: z.number().int() }),
});
