import { z } from 'zod';
import { IsoDateSchema, pageOf } from './common.js';
import { ReconcileReportSchema } from './reconcile.js';

/**
 * The merger plan (phương án hợp nhất) of the two former provinces' systems: a disposition per system,
 * tasks with checkpoints, maintenance windows for planned cut-overs, outages (flagged when unplanned) and
 * reconciliation results attached to tasks as evidence that no data was lost.
 */

/** keep = becomes the merged system; consolidate = folded into `targetSystemId`; retire; reuse_assets. */
export const DISPOSITIONS = ['keep', 'consolidate', 'retire', 'reuse_assets'] as const;
export const DispositionSchema = z.enum(DISPOSITIONS);
export type Disposition = z.infer<typeof DispositionSchema>;

/** Phase relative to the merger: before, during or after it. */
export const PHASES = ['before', 'during', 'after'] as const;
export const PhaseSchema = z.enum(PHASES);

/** Standard checkpoints of a system's migration; `other` for free tasks. */
export const CHECKPOINTS = ['backup_taken', 'data_migrated', 'accounts_migrated', 'security_assessed', 'old_system_switched_off', 'other'] as const;
export const CheckpointSchema = z.enum(CHECKPOINTS);
export type Checkpoint = z.infer<typeof CheckpointSchema>;

export const TASK_STATUSES = ['todo', 'in_progress', 'done', 'blocked', 'cancelled'] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/** Computed from the tasks: no_plan · not_started · in_progress · done; `overdue` is a separate flag. */
export const MERGER_STATES = ['no_plan', 'not_started', 'in_progress', 'done'] as const;
export const MergerStateSchema = z.enum(MERGER_STATES);
export type MergerState = z.infer<typeof MergerStateSchema>;

const UnitRefSchema = z.object({ id: z.string(), code: z.string(), name: z.string() });
const SystemRefSchema = z.object({ id: z.string(), code: z.string(), name: z.string() });

export const MergerTaskSchema = z.object({
  id: z.string(),
  planId: z.string(),
  systemId: z.string(),
  title: z.string(),
  checkpoint: CheckpointSchema,
  status: TaskStatusSchema,
  ownerUnit: UnitRefSchema.nullable(),
  /** Person or role in charge, as free text (e.g. "Trần Văn Hải – TT CĐS"). */
  assignee: z.string().nullable(),
  dueDate: z.string().nullable(),
  doneAt: z.string().nullable(),
  /** Due date passed and the task is not done/cancelled. */
  overdue: z.boolean(),
  evidenceNote: z.string().nullable(),
  reconciliations: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type MergerTask = z.infer<typeof MergerTaskSchema>;

export const MergerPlanSchema = z.object({
  id: z.string(),
  system: SystemRefSchema,
  disposition: DispositionSchema,
  targetSystem: SystemRefSchema.nullable(),
  phase: PhaseSchema,
  targetStart: z.string().nullable(),
  targetEnd: z.string().nullable(),
  leadUnit: UnitRefSchema.nullable(),
  responsibleUnits: z.array(UnitRefSchema),
  /** The decision that approved this part of the plan. */
  decision: z.string().nullable(),
  notes: z.string().nullable(),
  state: MergerStateSchema,
  tasksTotal: z.number().int(),
  tasksDone: z.number().int(),
  tasksOverdue: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type MergerPlan = z.infer<typeof MergerPlanSchema>;
export const MergerPlanPageSchema = pageOf(MergerPlanSchema);

export const MergerPlanInputSchema = z.object({
  disposition: DispositionSchema,
  /** Required for `consolidate`: the system this one is folded into. */
  targetSystemId: z.string().nullish(),
  phase: PhaseSchema,
  targetStart: IsoDateSchema.nullish(),
  targetEnd: IsoDateSchema.nullish(),
  leadUnitId: z.string().nullish(),
  responsibleUnitIds: z.array(z.string()).max(50).default([]),
  decision: z.string().trim().max(300).nullish(),
  notes: z.string().trim().max(4000).nullish(),
  /** When creating a plan: add the five standard checkpoint tasks. */
  withStandardTasks: z.boolean().default(false),
});
export type MergerPlanInput = z.infer<typeof MergerPlanInputSchema>;

/** Former province a system came from (the same values as InformationSystem.origin). */
export const MergerOriginSchema = z.enum(['bd', 'gl', 'new']);

export const MergerPlanQuerySchema = z.object({
  unitId: z.string().optional(),
  /** Origin of the plan's system: compare the two former provinces (bd = Bình Định, gl = Gia Lai cũ). */
  origin: MergerOriginSchema.optional(),
  disposition: DispositionSchema.optional(),
  phase: PhaseSchema.optional(),
  state: MergerStateSchema.optional(),
  overdue: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});

export const MergerTaskCreateSchema = z.object({
  title: z.string().trim().min(2).max(300),
  checkpoint: CheckpointSchema.default('other'),
  status: TaskStatusSchema.default('todo'),
  ownerUnitId: z.string().nullish(),
  assignee: z.string().trim().max(200).nullish(),
  dueDate: IsoDateSchema.nullish(),
  evidenceNote: z.string().trim().max(4000).nullish(),
});
/** Operators may change status, assignee and evidence; owners (merger.write) also title, checkpoint, unit, due date. */
export const MergerTaskUpdateSchema = z.object({
  title: z.string().trim().min(2).max(300).optional(),
  checkpoint: CheckpointSchema.optional(),
  status: TaskStatusSchema.optional(),
  ownerUnitId: z.string().nullish(),
  assignee: z.string().trim().max(200).nullish(),
  dueDate: IsoDateSchema.nullish(),
  evidenceNote: z.string().trim().max(4000).nullish(),
});

/** A planned stop (cut-over) of a system. Outages inside a window count as planned. */
export const MaintenanceWindowSchema = z.object({
  id: z.string(),
  systemId: z.string(),
  taskId: z.string().nullable(),
  title: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  createdAt: z.string(),
  /** The system (code, name): filled in province-wide lists, where the system is not implied. */
  system: SystemRefSchema.optional(),
});
export const MaintenanceWindowCreateSchema = z.object({
  systemId: z.string(),
  taskId: z.string().nullish(),
  title: z.string().trim().min(2).max(300),
  /** ISO instants with offset, e.g. 2026-03-14T22:00:00+07:00; stored in UTC. */
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
});

export const OutageSchema = z.object({
  id: z.string(),
  systemId: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** False = UNPLANNED: the stop does not lie entirely inside one of the system's maintenance windows. */
  planned: z.boolean(),
  windowId: z.string().nullable(),
  cause: z.string().nullable(),
  createdAt: z.string(),
  /** The system (code, name): filled in province-wide lists, where the system is not implied. */
  system: SystemRefSchema.optional(),
});
export type Outage = z.infer<typeof OutageSchema>;
export const OutageCreateSchema = z.object({
  systemId: z.string(),
  startedAt: z.iso.datetime({ offset: true }),
  /** Absent while the system is still down; planned-ness is re-evaluated when the end is recorded. */
  endedAt: z.iso.datetime({ offset: true }).nullish(),
  cause: z.string().trim().max(2000).nullish(),
});
/**
 * Lists of windows/outages: one system's (all of them), or without `systemId` those of every system in the
 * actor's scope, newest first, one bounded page at a time.
 */
export const WindowListQuerySchema = z.object({
  systemId: z.string().max(64).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const OutageListQuerySchema = WindowListQuerySchema.extend({ planned: z.enum(['true', 'false']).optional() });
export const MaintenanceWindowListSchema = z.object({ items: z.array(MaintenanceWindowSchema), total: z.number().int() });
export const OutageListSchema = z.object({ items: z.array(OutageSchema), total: z.number().int() });

export const OutageUpdateSchema = z.object({
  endedAt: z.iso.datetime({ offset: true }).nullable().optional(),
  cause: z.string().trim().max(2000).nullish(),
});

export const ReconciliationCountsSchema = z.object({
  missing: z.number().int().min(0),
  extra: z.number().int().min(0),
  changed: z.number().int().min(0),
  equal: z.number().int().min(0),
});

/**
 * Attach a reconciliation result (the report of `khien reconcile` or its page, src/contracts/reconcile.ts) to
 * a task. The report is validated and kept whole; its counts are also stored as columns for lists.
 * Descriptions default to the report's source/target labels.
 */
export const ReconciliationAttachSchema = z.object({
  sourceDescription: z.string().trim().min(1).max(500).optional(),
  targetDescription: z.string().trim().min(1).max(500).optional(),
  report: ReconcileReportSchema,
});
export const ReconciliationSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  systemId: z.string(),
  sourceDescription: z.string(),
  targetDescription: z.string(),
  counts: ReconciliationCountsSchema,
  /** equal: nothing missing, extra or changed. */
  outcome: z.enum(['equal', 'different']),
  report: ReconcileReportSchema,
  attachedBy: z.string().nullable(),
  attachedAt: z.string(),
});
export type Reconciliation = z.infer<typeof ReconciliationSchema>;

/** Everything about one system's merger: plan, tasks, windows, outages and reconciliations. */
export const SystemMergerSchema = z.object({
  plan: MergerPlanSchema.nullable(),
  tasks: z.array(MergerTaskSchema),
  windows: z.array(MaintenanceWindowSchema),
  outages: z.array(OutageSchema),
  reconciliations: z.array(ReconciliationSchema),
});

export const DISPOSITION_LABELS: Record<Disposition, string> = {
  keep: 'Giữ làm hệ thống sau hợp nhất',
  consolidate: 'Hợp nhất vào hệ thống khác',
  retire: 'Ngừng sử dụng',
  reuse_assets: 'Tái sử dụng tài sản',
};
export const CHECKPOINT_LABELS: Record<Checkpoint, string> = {
  backup_taken: 'Đã sao lưu dữ liệu',
  data_migrated: 'Đã chuyển đổi dữ liệu',
  accounts_migrated: 'Đã chuyển tài khoản người dùng',
  security_assessed: 'Đã kiểm tra, đánh giá an ninh mạng',
  old_system_switched_off: 'Đã tắt hệ thống cũ',
  other: 'Công việc khác',
};
export const MERGER_STATE_LABELS: Record<MergerState, string> = {
  no_plan: 'Chưa có phương án',
  not_started: 'Chưa bắt đầu',
  in_progress: 'Đang thực hiện',
  done: 'Hoàn thành',
};
