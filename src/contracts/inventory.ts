import { z } from 'zod';
import { IsoDateSchema, pageOf } from './common.js';

/**
 * Inventory of information systems (danh mục hệ thống thông tin), their security level under both legal
 * regimes (NĐ 85/2016 and NĐ 331/2026), and the components/assets that serve them. Shared by server and web.
 */

/** System type (NĐ 85/2016 Đ6.2; same categories in NĐ 331/2026). */
export const SYSTEM_TYPES = ['internal', 'citizen_service', 'infrastructure', 'industrial_control', 'other'] as const;
export const SystemTypeSchema = z.enum(SYSTEM_TYPES);
export type SystemType = z.infer<typeof SystemTypeSchema>;

/** planned (đang đầu tư/xây dựng) · in_operation (đang vận hành) · being_merged (đang hợp nhất) · retired (ngừng sử dụng). */
export const SYSTEM_STATUSES = ['planned', 'in_operation', 'being_merged', 'retired'] as const;
export const SystemStatusSchema = z.enum(SYSTEM_STATUSES);
export type SystemStatus = z.infer<typeof SystemStatusSchema>;

/** State-secret grade of the information processed (NĐ 85 Đ6.1: Mật / Tối mật / Tuyệt mật). */
export const STATE_SECRET_GRADES = ['none', 'mat', 'toi_mat', 'tuyet_mat'] as const;
export const StateSecretGradeSchema = z.enum(STATE_SECRET_GRADES);

/** Shared infrastructure reach: one agency, a sector/one or several provinces, nationwide. */
export const INFRASTRUCTURE_SCOPES = ['none', 'single_agency', 'sector_or_provinces', 'nationwide'] as const;
export const InfrastructureScopeSchema = z.enum(INFRASTRUCTURE_SCOPES);

/** Grade of the construction works an industrial-control system serves (cấp công trình). */
export const ICS_WORK_GRADES = ['none', 'IV', 'III', 'II', 'I', 'special'] as const;
export const IcsWorkGradeSchema = z.enum(ICS_WORK_GRADES);

/** Harm to defence / national security if compromised (Luật 86/2015 Đ21; NĐ 331 Đ13–15). */
export const NATIONAL_SECURITY_IMPACTS = ['none', 'harm', 'serious', 'especially_serious'] as const;
export const NationalSecurityImpactSchema = z.enum(NATIONAL_SECURITY_IMPACTS);

/** Where the system runs. */
export const HOSTING_KINDS = ['provincial_data_centre', 'unit_server_room', 'vendor_cloud', 'national_platform', 'other'] as const;
export const HostingKindSchema = z.enum(HOSTING_KINDS);

export const LevelSchema = z.number().int().min(1).max(5);
export type Level = z.infer<typeof LevelSchema>;

/** The classes of information a system processes, with the number of data subjects for personal data. */
export const InformationClassesSchema = z.object({
  public: z.boolean().default(true),
  /** "thông tin riêng" of organisations/users. */
  private: z.boolean().default(false),
  personal: z.boolean().default(false),
  /** Number of people whose basic personal data the system processes. */
  personalSubjects: z.number().int().min(0).nullable().default(null),
  sensitivePersonal: z.boolean().default(false),
  /** Number of people whose sensitive personal data the system processes. */
  sensitiveSubjects: z.number().int().min(0).nullable().default(null),
  stateSecret: StateSecretGradeSchema.default('none'),
});
export type InformationClasses = z.infer<typeof InformationClassesSchema>;

export const ConnectionsSchema = z.object({
  /** Nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh. */
  lgsp: z.boolean().default(false),
  /** Nền tảng tích hợp, chia sẻ dữ liệu quốc gia. */
  ndxp: z.boolean().default(false),
  /** Cơ sở dữ liệu quốc gia về dân cư. */
  nationalPopulationDb: z.boolean().default(false),
  /** Other systems: by id when catalogued here, else by name. */
  others: z.array(z.object({ systemId: z.string().nullable().default(null), name: z.string().trim().min(1).max(300) })).max(100).default([]),
});
export type Connections = z.infer<typeof ConnectionsSchema>;

export const ApprovalDocumentSchema = z.object({
  number: z.string().trim().min(1).max(100),
  date: IsoDateSchema.nullable().default(null),
  title: z.string().trim().max(500).nullable().default(null),
});

/** The level as recorded under one regime, with its dossier (hồ sơ đề xuất cấp độ) and approval. */
export const RegimeLevelSchema = z.object({
  level: LevelSchema.nullable(),
  dossierNo: z.string().nullable(),
  decisionNo: z.string().nullable(),
  decisionDate: z.string().nullable(),
});

/**
 * Where a system stands in the move from NĐ 85/2016 to NĐ 331/2026 (Luật 116/2025 Đ45.1, NĐ 331 Đ39):
 * - unclassified: no level under either regime;
 * - legacy_only: classified under NĐ 85 only — must be re-classified under NĐ 331 by the deadline;
 * - awaiting_approval: an NĐ 331 level is set but no approval decision is recorded;
 * - classified: NĐ 331 level approved.
 */
export const TRANSITION_STATES = ['unclassified', 'legacy_only', 'awaiting_approval', 'classified'] as const;
export const TransitionStateSchema = z.enum(TRANSITION_STATES);
export type TransitionState = z.infer<typeof TransitionStateSchema>;

export const TransitionSchema = z.object({
  state: TransitionStateSchema,
  /** 2027-07-01 (12 months after Luật 116/2025 took effect). */
  deadline: IsoDateSchema,
  /** Days from today to the deadline; negative once it has passed. null when classified. */
  daysRemaining: z.number().int().nullable(),
  overdue: z.boolean(),
  /** Vietnamese sentence for the UI. */
  note: z.string(),
});
export type Transition = z.infer<typeof TransitionSchema>;

/** One reason the advisor gives: rule id, the clause it implements, the level it implies and Vietnamese text. */
export const LevelReasonSchema = z.object({
  ruleId: z.string(),
  clause: z.string(),
  level: LevelSchema,
  text: z.string(),
  /** Figures in the sentence, for wording it in another language (absent on proposals stored before). */
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type LevelReason = z.infer<typeof LevelReasonSchema>;

export const LEVEL_REGIMES = ['nd85', 'nd331'] as const;
export const LevelRegimeSchema = z.enum(LEVEL_REGIMES);

/** The level advisor's proposal: the highest level any rule implies, and every rule that fired. */
export const LevelProposalSchema = z.object({
  regime: LevelRegimeSchema,
  level: LevelSchema,
  reasons: z.array(LevelReasonSchema),
});
export type LevelProposal = z.infer<typeof LevelProposalSchema>;

/** The owner's decision on a proposal: confirm it or override with a justification. Stored with the proposal. */
export const LevelDecisionSchema = z.object({
  id: z.string(),
  proposedLevel: LevelSchema,
  decidedLevel: LevelSchema,
  kind: z.enum(['confirm', 'override']),
  justification: z.string().nullable(),
  proposal: LevelProposalSchema,
  decidedBy: z.string().nullable(),
  decidedByName: z.string().nullable(),
  decidedAt: z.string(),
});
export type LevelDecision = z.infer<typeof LevelDecisionSchema>;

/** Confirm (decidedLevel = proposed) or override (any other level; justification of ≥ 20 characters). */
export const LevelDecisionInputSchema = z.object({
  decidedLevel: LevelSchema,
  justification: z.string().trim().max(4000).nullish(),
  /** Optional NĐ 331 dossier number (hồ sơ đề xuất cấp độ) to record with the decision. */
  dossierNo: z.string().trim().max(100).nullish(),
});

const UnitRefSchema = z.object({ id: z.string(), code: z.string(), name: z.string() });

/** Facts that decide the level, besides type and information classes. */
const LevelFactsFields = {
  onlineServiceLevel: z.number().int().min(0).max(4).nullable().default(null),
  /** The system is the provincial administrative-procedure system (HTTT giải quyết TTHC). */
  administrativeProcedure: z.boolean().default(false),
  /** Provides online services in the conditional-business list (ngành nghề kinh doanh có điều kiện). */
  conditionalBusiness: z.boolean().default(false),
  infrastructureScope: InfrastructureScopeSchema.default('none'),
  icsWorkGrade: IcsWorkGradeSchema.default('none'),
  /** A national e-government system that must run 24/7 with no unplanned stop. */
  nationalEgov24x7: z.boolean().default(false),
  nationalSecurityImpact: NationalSecurityImpactSchema.default('none'),
};

export const SystemSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  purpose: z.string().nullable(),
  type: SystemTypeSchema,
  status: SystemStatusSchema,
  ownerUnit: UnitRefSchema,
  operatingUnit: UnitRefSchema.nullable(),
  securityUnit: UnitRefSchema.nullable(),
  /** A composite system's parts point to it; the composite takes the highest level of its parts. */
  parentSystemId: z.string().nullable(),
  /** Former province the system came from (bd = Bình Định, gl = old Gia Lai) or `new` after 2025-07-01. */
  origin: z.enum(['bd', 'gl', 'new']),
  internalUsers: z.number().int().nullable(),
  externalUsers: z.number().int().nullable(),
  information: InformationClassesSchema,
  onlineServiceLevel: z.number().int().nullable(),
  administrativeProcedure: z.boolean(),
  conditionalBusiness: z.boolean(),
  infrastructureScope: InfrastructureScopeSchema,
  icsWorkGrade: IcsWorkGradeSchema,
  nationalEgov24x7: z.boolean(),
  nationalSecurityImpact: NationalSecurityImpactSchema,
  connections: ConnectionsSchema,
  hosting: HostingKindSchema.nullable(),
  hostingDetail: z.string().nullable(),
  rtoMinutes: z.number().int().nullable(),
  rpoMinutes: z.number().int().nullable(),
  approvalDocuments: z.array(ApprovalDocumentSchema),
  /** Under NĐ 85/2016 (legacy). */
  legacyLevel: RegimeLevelSchema,
  /** Under NĐ 331/2026. */
  newLevel: RegimeLevelSchema,
  transition: TransitionSchema,
  /** The advisor's latest stored proposal under NĐ 331 (null until facts are saved). */
  proposedLevel: LevelSchema.nullable(),
  mergerDisposition: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type InformationSystem = z.infer<typeof SystemSchema>;
export const SystemPageSchema = pageOf(SystemSchema);

const SystemWriteFields = {
  code: z.string().trim().min(1).max(50),
  name: z.string().trim().min(2).max(300),
  purpose: z.string().trim().max(2000).nullish(),
  type: SystemTypeSchema,
  status: SystemStatusSchema.default('in_operation'),
  ownerUnitId: z.string(),
  operatingUnitId: z.string().nullish(),
  securityUnitId: z.string().nullish(),
  parentSystemId: z.string().nullish(),
  origin: z.enum(['bd', 'gl', 'new']).default('new'),
  internalUsers: z.number().int().min(0).nullish(),
  externalUsers: z.number().int().min(0).nullish(),
  information: InformationClassesSchema.default({
    public: true, private: false, personal: false, personalSubjects: null, sensitivePersonal: false, sensitiveSubjects: null, stateSecret: 'none',
  }),
  ...LevelFactsFields,
  connections: ConnectionsSchema.default({ lgsp: false, ndxp: false, nationalPopulationDb: false, others: [] }),
  hosting: HostingKindSchema.nullish(),
  hostingDetail: z.string().trim().max(500).nullish(),
  rtoMinutes: z.number().int().min(0).nullish(),
  rpoMinutes: z.number().int().min(0).nullish(),
  approvalDocuments: z.array(ApprovalDocumentSchema).max(50).default([]),
  /** Recorded levels (from existing dossiers). Changing them needs system.confirm_level on the owner unit. */
  legacyLevel: LevelSchema.nullish(),
  legacyDossierNo: z.string().trim().max(100).nullish(),
  legacyDecisionNo: z.string().trim().max(100).nullish(),
  legacyDecisionDate: IsoDateSchema.nullish(),
  newLevel: LevelSchema.nullish(),
  newDossierNo: z.string().trim().max(100).nullish(),
  newDecisionNo: z.string().trim().max(100).nullish(),
  newDecisionDate: IsoDateSchema.nullish(),
};
export const SystemCreateSchema = z.object(SystemWriteFields);
export type SystemCreate = z.infer<typeof SystemCreateSchema>;
/** PATCH: any subset of the create fields (no defaults applied: an absent field is unchanged). */
export const SystemUpdateSchema = z.object(
  Object.fromEntries(Object.entries(SystemWriteFields).map(([k, v]) => [k, (v as z.ZodTypeAny).optional()])) as {
    [K in keyof typeof SystemWriteFields]: z.ZodOptional<(typeof SystemWriteFields)[K]>;
  },
);
export type SystemUpdate = z.infer<typeof SystemUpdateSchema>;

export const SystemQuerySchema = z.object({
  q: z.string().max(200).optional(),
  /** Systems whose owner, operating or security-responsible unit lies in this unit's subtree. */
  unitId: z.string().optional(),
  level: z.coerce.number().int().min(1).max(5).optional(),
  /** Which level `level` filters: NĐ 85, NĐ 331, or effective (NĐ 331 if set, else NĐ 85). */
  regime: z.enum(['nd85', 'nd331', 'effective']).default('effective'),
  status: SystemStatusSchema.optional(),
  /** A merger disposition, or `none` for systems without a merger plan. */
  disposition: z.enum(['keep', 'consolidate', 'retire', 'reuse_assets', 'none']).optional(),
  transition: TransitionStateSchema.optional(),
  origin: z.enum(['bd', 'gl', 'new']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});

/** Component / asset kinds. */
export const ASSET_KINDS = ['server', 'workstation', 'network_device', 'security_device', 'database', 'application'] as const;
export const AssetKindSchema = z.enum(ASSET_KINDS);
export type AssetKind = z.infer<typeof AssetKindSchema>;
export const ASSET_STATUSES = ['in_use', 'spare', 'retired'] as const;
export const AssetStatusSchema = z.enum(ASSET_STATUSES);
/** What happens to an asset after the merger: reuse in place, transfer to another unit, or dispose of it. */
export const REUSE_DISPOSITIONS = ['reuse', 'transfer', 'dispose'] as const;
export const ReuseDispositionSchema = z.enum(REUSE_DISPOSITIONS);

export const SoftwareSchema = z.object({
  vendor: z.string().trim().max(200).nullable().default(null),
  product: z.string().trim().min(1).max(200),
  version: z.string().trim().max(100).nullable().default(null),
  /** CPE 2.3 name when known. */
  cpe: z.string().trim().regex(/^cpe:2\.3:[aho]:/, 'CPE 2.3 (cpe:2.3:a|o|h:…)').max(300).nullable().default(null),
});
export type Software = z.infer<typeof SoftwareSchema>;

const IpSchema = z.union([z.ipv4(), z.ipv6()]);

export const AssetSchema = z.object({
  id: z.string(),
  code: z.string(),
  kind: AssetKindSchema,
  name: z.string(),
  hostname: z.string().nullable(),
  ips: z.array(z.string()),
  osName: z.string().nullable(),
  osVersion: z.string().nullable(),
  software: z.array(SoftwareSchema),
  location: z.string().nullable(),
  ownerUnit: UnitRefSchema,
  status: AssetStatusSchema,
  systems: z.array(z.object({ id: z.string(), code: z.string(), name: z.string() })),
  reuseDisposition: ReuseDispositionSchema.nullable(),
  reuseTargetUnit: UnitRefSchema.nullable(),
  /** The merger plan's decision that set the disposition (number/date text). */
  reuseDecision: z.string().nullable(),
  notes: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Asset = z.infer<typeof AssetSchema>;
export const AssetPageSchema = pageOf(AssetSchema);

const AssetWriteFields = {
  code: z.string().trim().min(1).max(80),
  kind: AssetKindSchema,
  name: z.string().trim().min(1).max(300),
  hostname: z.string().trim().max(253).nullish(),
  ips: z.array(IpSchema).max(64).default([]),
  osName: z.string().trim().max(200).nullish(),
  osVersion: z.string().trim().max(100).nullish(),
  software: z.array(SoftwareSchema).max(500).default([]),
  location: z.string().trim().max(300).nullish(),
  ownerUnitId: z.string(),
  status: AssetStatusSchema.default('in_use'),
  /** Replaces the set of systems the asset serves. */
  systemIds: z.array(z.string()).max(200).default([]),
  reuseDisposition: ReuseDispositionSchema.nullish(),
  /** Required when reuseDisposition = transfer. */
  reuseTargetUnitId: z.string().nullish(),
  reuseDecision: z.string().trim().max(300).nullish(),
  notes: z.string().trim().max(2000).nullish(),
};
export const AssetCreateSchema = z.object(AssetWriteFields);
export type AssetCreate = z.infer<typeof AssetCreateSchema>;
export const AssetUpdateSchema = z.object(
  Object.fromEntries(Object.entries(AssetWriteFields).map(([k, v]) => [k, (v as z.ZodTypeAny).optional()])) as {
    [K in keyof typeof AssetWriteFields]: z.ZodOptional<(typeof AssetWriteFields)[K]>;
  },
);
export type AssetUpdate = z.infer<typeof AssetUpdateSchema>;

export const AssetQuerySchema = z.object({
  q: z.string().max(200).optional(),
  unitId: z.string().optional(),
  systemId: z.string().optional(),
  kind: AssetKindSchema.optional(),
  reuseDisposition: ReuseDispositionSchema.optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});

/** A system's page: the system, the advisor's live proposals under both regimes, decisions, parts and assets. */
export const SystemDetailSchema = z.object({
  system: SystemSchema,
  proposal: LevelProposalSchema,
  legacyProposal: LevelProposalSchema,
  decisions: z.array(LevelDecisionSchema),
  parts: z.array(z.object({ id: z.string(), code: z.string(), name: z.string(), level: LevelSchema.nullable() })),
  assets: z.array(AssetSchema),
});
export type SystemDetail = z.infer<typeof SystemDetailSchema>;

/** Facts for a level preview before a system is saved (the form shows the proposal as the user types). */
export const LevelPreviewInputSchema = SystemCreateSchema.pick({
  type: true, information: true, onlineServiceLevel: true, administrativeProcedure: true, conditionalBusiness: true,
  infrastructureScope: true, icsWorkGrade: true, nationalEgov24x7: true, nationalSecurityImpact: true, externalUsers: true,
}).extend({
  /** Levels of the parts when the system is composite. */
  partLevels: z.array(LevelSchema).max(200).default([]),
});
export const LevelPreviewSchema = z.object({ proposal: LevelProposalSchema, legacyProposal: LevelProposalSchema });

const CountSchema = z.object({ key: z.string(), label: z.string(), count: z.number().int() });

/** Dashboard counts over the systems in the actor's scope. */
export const InventorySummarySchema = z.object({
  total: z.number().int(),
  byLegacyLevel: z.array(CountSchema),
  byNewLevel: z.array(CountSchema),
  /** By the top-level unit (department, commune/ward, police …) containing the owner unit. */
  byUnit: z.array(CountSchema.extend({ unitId: z.string().nullable() })),
  byStatus: z.array(CountSchema),
  byTransition: z.array(CountSchema),
  byDisposition: z.array(CountSchema),
  byMergerState: z.array(CountSchema),
  /** Systems without an NĐ 331 level (legacy_only + unclassified). */
  missingNewClassification: z.number().int(),
  /** Systems whose NĐ 331 transition deadline has passed without approval. */
  transitionOverdue: z.number().int(),
  deadline: IsoDateSchema,
  assets: z.object({ total: z.number().int(), byKind: z.array(CountSchema), byReuse: z.array(CountSchema) }),
});
export type InventorySummary = z.infer<typeof InventorySummarySchema>;

/** Vietnamese labels (shared by exports, the summary and the web). */
export const SYSTEM_TYPE_LABELS: Record<SystemType, string> = {
  internal: 'Phục vụ hoạt động nội bộ',
  citizen_service: 'Phục vụ người dân, doanh nghiệp',
  infrastructure: 'Cơ sở hạ tầng thông tin',
  industrial_control: 'Điều khiển công nghiệp',
  other: 'Khác',
};
export const SYSTEM_STATUS_LABELS: Record<SystemStatus, string> = {
  planned: 'Đang đầu tư, xây dựng',
  in_operation: 'Đang vận hành',
  being_merged: 'Đang hợp nhất',
  retired: 'Ngừng sử dụng',
};
export const TRANSITION_LABELS: Record<TransitionState, string> = {
  unclassified: 'Chưa xác định cấp độ',
  legacy_only: 'Mới có cấp độ theo NĐ 85, phải xác định lại theo NĐ 331',
  awaiting_approval: 'Đã đề xuất cấp độ theo NĐ 331, chờ phê duyệt',
  classified: 'Đã phê duyệt cấp độ theo NĐ 331',
};
export const ASSET_KIND_LABELS: Record<AssetKind, string> = {
  server: 'Máy chủ',
  workstation: 'Máy trạm',
  network_device: 'Thiết bị mạng',
  security_device: 'Thiết bị bảo mật',
  database: 'Cơ sở dữ liệu',
  application: 'Ứng dụng',
};

const ImportCountsSchema = z.object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int() });
/** Result of importing the inventory workbook (sheets "Hệ thống" and "Tài sản"). */
export const InventoryImportResultSchema = z.object({ file: z.string(), systems: ImportCountsSchema, assets: ImportCountsSchema });
export type InventoryImportResult = z.infer<typeof InventoryImportResultSchema>;

/** Sheet names of the inventory workbook (export and import). */
export const INVENTORY_SHEETS = { systems: 'Hệ thống', assets: 'Tài sản' } as const;
