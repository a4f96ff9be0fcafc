import { z } from 'zod';
import { IsoDateSchema, pageOf } from './common.js';

/** Vulnerability and malware-scan management (issue 8). Shared by server, web and CLI. */

export const VULN_SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export const VulnSeveritySchema = z.enum(VULN_SEVERITIES);
export type VulnSeverity = z.infer<typeof VulnSeveritySchema>;
export const FINDING_STATUSES = ['open', 'mitigated', 'risk_accepted', 'false_positive'] as const;
export const FindingStatusSchema = z.enum(FINDING_STATUSES);
export type FindingStatus = z.infer<typeof FindingStatusSchema>;
export const SCAN_FORMAT_IDS = ['nessus', 'nessus_csv', 'openvas', 'openvas_csv', 'nmap', 'trivy', 'nuclei', 'sarif', 'zap', 'zap_json', 'lynis', 'openscap', 'clamav', 'wazuh'] as const;
export const ScanFormatSchema = z.enum(SCAN_FORMAT_IDS);

const Ref = z.object({ id: z.string(), code: z.string(), name: z.string() });

export const ImportResultSchema = z.object({
  id: z.string(),
  scanner: z.string(),
  format: ScanFormatSchema,
  findings: z.number().int(),
  hosts: z.number().int(),
  unmatchedHosts: z.number().int(),
  created: z.number().int(),
  kept: z.number().int(),
  reopened: z.number().int(),
  mitigated: z.number().int(),
  duplicatesInFile: z.number().int(),
  malwareScans: z.number().int(),
  detections: z.number().int(),
});
export type ImportResultDto = z.infer<typeof ImportResultSchema>;

export const VulnImportSchema = z.object({
  id: z.string(),
  scanner: z.string(),
  format: z.string(),
  fileName: z.string(),
  unit: Ref,
  origin: z.string(),
  importedAt: z.string(),
  importedBy: z.string().nullable(),
  findings: z.number().int(),
  hosts: z.number().int(),
  unmatchedHosts: z.number().int(),
  created: z.number().int(),
  kept: z.number().int(),
  reopened: z.number().int(),
  mitigated: z.number().int(),
});
export const VulnImportListSchema = z.object({ items: z.array(VulnImportSchema) });

export const FindingSchema = z.object({
  id: z.string(),
  scanner: z.string(),
  pluginId: z.string(),
  title: z.string(),
  severity: VulnSeveritySchema,
  status: FindingStatusSchema,
  asset: Ref.nullable(),
  systems: z.array(Ref),
  hostLabel: z.string(),
  unit: Ref,
  port: z.number().int().nullable(),
  protocol: z.string().nullable(),
  cves: z.array(z.string()),
  cwes: z.array(z.number().int()),
  cvss3Vector: z.string().nullable(),
  cvss3Score: z.number().nullable(),
  cvss4Vector: z.string().nullable(),
  cvss4Score: z.number().nullable(),
  kev: z.boolean(),
  kevDue: z.string().nullable(),
  kevRansomware: z.boolean(),
  epss: z.number().nullable(),
  priority: z.number().int(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  slaDue: z.string().nullable(),
  overdue: z.boolean(),
  mitigatedAt: z.string().nullable(),
});
export type Finding = z.infer<typeof FindingSchema>;
export const FindingPageSchema = pageOf(FindingSchema);

export const FindingQuerySchema = z.object({
  q: z.string().max(200).optional(),
  unitId: z.string().optional(),
  systemId: z.string().optional(),
  assetId: z.string().optional(),
  severity: VulnSeveritySchema.optional(),
  status: FindingStatusSchema.optional(),
  kev: z.enum(['true', 'false']).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  sort: z.enum(['priority', 'due', 'severity', 'last_seen']).default('priority'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
export type FindingQuery = z.infer<typeof FindingQuerySchema>;

export const FindingEventSchema = z.object({
  at: z.string(),
  action: z.string(),
  importId: z.string().nullable(),
  fileName: z.string().nullable(),
  actor: z.string().nullable(),
  note: z.string().nullable(),
});
export const FindingDetailSchema = z.object({
  finding: FindingSchema,
  description: z.string().nullable(),
  solution: z.string().nullable(),
  evidence: z.string().nullable(),
  service: z.string().nullable(),
  location: z.string().nullable(),
  slaDays: z.number().int().nullable(),
  cvss3Metrics: z.record(z.string(), z.string()).nullable(),
  cvss4Metrics: z.record(z.string(), z.string()).nullable(),
  decision: z.object({ reason: z.string().nullable(), approver: z.string().nullable(), by: z.string().nullable(), at: z.string().nullable(), expiresOn: z.string().nullable() }),
  history: z.array(FindingEventSchema),
});
export type FindingDetail = z.infer<typeof FindingDetailSchema>;

export const RiskAcceptanceInputSchema = z.object({
  approver: z.string().trim().min(3).max(200),
  reason: z.string().trim().min(20).max(4000),
  expiresOn: IsoDateSchema,
});
export const FalsePositiveInputSchema = z.object({ reason: z.string().trim().min(10).max(4000) });
export const ReopenInputSchema = z.object({ reason: z.string().trim().min(5).max(4000) });

export const UnmatchedHostSchema = z.object({
  hostKey: z.string(),
  hostLabel: z.string(),
  ip: z.string().nullable(),
  hostname: z.string().nullable(),
  image: z.string().nullable(),
  unit: Ref,
  lastSeenAt: z.string(),
  findingsOpen: z.number().int(),
});
export const UnmatchedHostListSchema = z.object({ items: z.array(UnmatchedHostSchema) });
export const AssignHostInputSchema = z.object({
  hostKey: z.string().min(1).max(600),
  /** Assign to an existing asset… */
  assetId: z.string().optional(),
  /** …or create one (owner unit, kind, name; the host's IP/hostname are filled in). */
  create: z.object({ ownerUnitId: z.string(), kind: z.enum(['server', 'workstation', 'network_device', 'security_device', 'database', 'application']), name: z.string().trim().min(1).max(300), code: z.string().trim().min(1).max(50) }).optional(),
});
export const AssignHostResultSchema = z.object({ assetId: z.string(), findingsMoved: z.number().int() });

const SevCounts = z.object({ critical: z.number().int(), high: z.number().int(), medium: z.number().int(), low: z.number().int(), info: z.number().int() });
export const VulnDashboardSchema = z.object({
  openBySeverity: SevCounts,
  overdueBySeverity: SevCounts,
  kevOpen: z.number().int(),
  /** Open findings at the end of each of the last weeks (burn-down). */
  burnDown: z.array(z.object({ week: z.string(), open: z.number().int(), created: z.number().int(), closed: z.number().int() })),
  /** Share of findings closed (or still open) within their SLA, by severity. */
  slaCompliance: z.array(z.object({ severity: VulnSeveritySchema, withinSla: z.number().int(), breached: z.number().int(), percent: z.number().nullable() })),
  byUnit: z.array(z.object({ unit: Ref, open: z.number().int(), overdue: z.number().int(), kev: z.number().int() })),
  bySystem: z.array(z.object({ system: Ref, open: z.number().int(), overdue: z.number().int(), kev: z.number().int() })),
});
export type VulnDashboard = z.infer<typeof VulnDashboardSchema>;
export const VulnDashboardQuerySchema = z.object({ unitId: z.string().optional(), systemId: z.string().optional() });

export const CoverageQuerySchema = z.object({ unitId: z.string().optional(), days: z.coerce.number().int().min(1).max(365).default(30) });
export const CoverageSchema = z.object({
  days: z.number().int(),
  since: z.string(),
  province: z.object({ total: z.number().int(), covered: z.number().int(), percent: z.number().nullable() }),
  byUnit: z.array(z.object({ unit: Ref, total: z.number().int(), covered: z.number().int(), percent: z.number().nullable() })),
  /** By the merger phase of the systems the asset serves (before/during/after), and assets with no plan. */
  byMergerPhase: z.array(z.object({ phase: z.string(), total: z.number().int(), covered: z.number().int(), percent: z.number().nullable() })),
  assets: z.array(z.object({
    asset: Ref, kind: z.string(), unit: Ref, covered: z.boolean(), lastScanAt: z.string().nullable(), tool: z.string().nullable(),
    result: z.enum(['clean', 'infected', 'scanner_installed', 'no_scanner', 'never']), infected: z.number().int(),
    /** The latest Lynis hardening index (0–100) of the period, when a Lynis report was imported. */
    hardeningIndex: z.number().int().nullable(),
  })),
  detections: z.array(z.object({ id: z.string(), hostLabel: z.string(), path: z.string(), signature: z.string(), detectedAt: z.string(), asset: Ref.nullable(), socAlertId: z.string().nullable() })),
});
export type Coverage = z.infer<typeof CoverageSchema>;

export const CatalogueLoadResultSchema = z.object({ entries: z.number().int(), findingsUpdated: z.number().int(), version: z.string().nullable() });
