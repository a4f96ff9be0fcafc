import { z } from 'zod';

/** SOC API shapes: log sources, events, alerts, metrics (module soc). */

export const SOC_SOURCE_KINDS = ['syslog', 'http', 'file'] as const;
export const ALERT_STATUSES = ['new', 'acknowledged', 'false_positive', 'escalated'] as const;
export const ALERT_SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export const AlertStatusSchema = z.enum(ALERT_STATUSES);
export const AlertSeveritySchema = z.enum(ALERT_SEVERITIES);

export const SocSourceSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(SOC_SOURCE_KINDS),
  unitId: z.string(),
  unitName: z.string().nullable(),
  systemId: z.string().nullable(),
  systemName: z.string().nullable(),
  assetId: z.string().nullable(),
  hosts: z.array(z.string()),
  apiKeyPrefix: z.string().nullable(),
  tzOffsetMinutes: z.number().int(),
  /** Carries its system's access-log records over syslog (fed to access-log ingestion). */
  accessLog: z.boolean(),
  enabled: z.boolean(),
  createdAt: z.string(),
});
export type SocSource = z.infer<typeof SocSourceSchema>;

export const SocSourceCreateSchema = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(SOC_SOURCE_KINDS),
  unitId: z.string().max(64),
  systemId: z.string().max(64).nullable().optional(),
  assetId: z.string().max(64).nullable().optional(),
  hosts: z.array(z.string().trim().min(1).max(255)).max(200).default([]),
  tzOffsetMinutes: z.number().int().min(-720).max(840).default(420),
  /** Its syslog messages may carry access-log records of `systemId` (khienAccess@32473 or a JSON khienAccess object). */
  accessLog: z.boolean().default(false),
});
export type SocSourceCreate = z.infer<typeof SocSourceCreateSchema>;

/** Changes to a source (its kind and unit stay: a new API key or another unit means a new source). */
export const SocSourceUpdateSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  systemId: z.string().max(64).nullable().optional(),
  hosts: z.array(z.string().trim().min(1).max(255)).max(200).optional(),
  tzOffsetMinutes: z.number().int().min(-720).max(840).optional(),
  accessLog: z.boolean().optional(),
  enabled: z.boolean().optional(),
});
export type SocSourceUpdate = z.infer<typeof SocSourceUpdateSchema>;

export const SocApiKeySchema = z.object({ source: SocSourceSchema, apiKey: z.string() });

export const SocEventSchema = z.object({
  id: z.string(),
  ts: z.string(),
  receivedAt: z.string(),
  host: z.string().nullable(),
  userName: z.string().nullable(),
  sourceIp: z.string().nullable(),
  action: z.string().nullable(),
  outcome: z.string().nullable(),
  product: z.string().nullable(),
  service: z.string().nullable(),
  code: z.string().nullable(),
  message: z.string(),
  unitId: z.string().nullable(),
  systemId: z.string().nullable(),
  assetId: z.string().nullable(),
  sourceId: z.string().nullable(),
  fields: z.record(z.string(), z.unknown()),
});
export type SocEvent = z.infer<typeof SocEventSchema>;

export const SocEventQuerySchema = z.object({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  host: z.string().max(255).optional(),
  user: z.string().max(255).optional(),
  sourceIp: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  outcome: z.string().max(16).optional(),
  systemId: z.string().max(64).optional(),
  q: z.string().max(500).optional(),
  /** `field=value`, e.g. `event.code=4625`. */
  field: z.string().max(500).regex(/^[^=]+=.*$/, 'field=value').optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
export type SocEventQuery = z.infer<typeof SocEventQuerySchema>;

export const SocAlertSchema = z.object({
  id: z.string(),
  origin: z.string(),
  ruleId: z.string().nullable(),
  /** Detection Rule License 1.1: the rule's author is shown with every match. */
  ruleAuthor: z.string().nullable(),
  title: z.string(),
  severity: AlertSeveritySchema,
  tags: z.array(z.string()),
  mitre: z.array(z.string()),
  status: AlertStatusSchema,
  assigneeId: z.string().nullable(),
  assigneeName: z.string().nullable(),
  unitId: z.string(),
  unitName: z.string().nullable(),
  systemId: z.string().nullable(),
  systemName: z.string().nullable(),
  assetId: z.string().nullable(),
  assetName: z.string().nullable(),
  host: z.string().nullable(),
  count: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  details: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SocAlert = z.infer<typeof SocAlertSchema>;

export const SocAlertQuerySchema = z.object({
  status: z.union([AlertStatusSchema, z.literal('open')]).optional(),
  severity: AlertSeveritySchema.optional(),
  systemId: z.string().max(64).optional(),
  q: z.string().max(200).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
export type SocAlertQuery = z.infer<typeof SocAlertQuerySchema>;

export const SocAlertUpdateSchema = z.object({
  status: AlertStatusSchema.optional(),
  assigneeId: z.string().max(64).nullable().optional(),
  note: z.string().max(2000).optional(),
});
export type SocAlertUpdate = z.infer<typeof SocAlertUpdateSchema>;

export const SocAlertDetailSchema = z.object({ alert: SocAlertSchema, events: z.array(SocEventSchema) });

export const SocMetricsSchema = z.object({
  received: z.object({ udp: z.number(), tcp: z.number(), tls: z.number(), http: z.number(), file: z.number(), total: z.number() }),
  spooled: z.number(),
  stored: z.number(),
  duplicates: z.number(),
  detected: z.number(),
  correlations: z.number(),
  alertsOpened: z.number(),
  alertsUpdated: z.number(),
  droppedUdp: z.number(),
  udpKernelDrops: z.number(),
  truncated: z.number(),
  parseErrors: z.number(),
  queue: z.number(),
  paused: z.boolean(),
  pauses: z.number(),
  connections: z.number(),
  published: z.number(),
  startedAt: z.string(),
  rules: z.number(),
  /**
   * How this installation runs the SOC pipeline: `single_process` (no KHIEN_NATS_URL: receive, detect and store in
   * one process) or `scale_out` (ingest and detect workers over NATS JetStream; `scaleOut` below when this process
   * publishes, i.e. the ingest).
   */
  mode: z.enum(['single_process', 'scale_out']),
  /** NATS scale-out (roles ingest + worker): partitions, their owners and lag, and each worker's counters. */
  scaleOut: z.object({
    stream: z.string(),
    partitions: z.number().int(),
    /** Messages published but not yet delivered to a worker, over all partitions. */
    lag: z.number(),
    /** Messages delivered again (after a worker died or an ack wait expired), summed over live workers. */
    redelivered: z.number(),
    unowned: z.number().int(),
    partitionOwners: z.array(z.object({ partition: z.number().int(), owner: z.string().nullable(), lag: z.number() })),
    workers: z.array(z.object({
      id: z.string(), host: z.string(), at: z.string(), partitions: z.array(z.number().int()), processed: z.number(), stored: z.number(),
      duplicates: z.number(), correlations: z.number(), redelivered: z.number(), replayed: z.number(), takeovers: z.number(), fenced: z.number(),
    })),
  }).optional(),
});
export type SocMetrics = z.infer<typeof SocMetricsSchema>;

export const SocIngestResultSchema = z.object({
  accepted: z.number().int(),
  rejected: z.array(z.object({ line: z.number().int(), message: z.string() })),
});
