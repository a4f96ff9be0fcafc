import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  Disposition,
  MaintenanceWindowCreateSchema,
  MaintenanceWindowSchema,
  MergerPlan,
  MergerPlanInputSchema,
  MergerPlanPageSchema,
  MergerState,
  MergerTask,
  MergerTaskCreateSchema,
  MergerTaskUpdateSchema,
  Outage,
  OutageCreateSchema,
  OutageUpdateSchema,
  Reconciliation,
  ReconciliationAttachSchema,
  SystemMergerSchema,
} from '../../../contracts/merger.js';
import { api } from '../../components/api-client.js';
import { inventoryKeys } from '../inventory/api.js';

export type MergerPlanPage = z.infer<typeof MergerPlanPageSchema>;
export type MergerPlanInput = z.input<typeof MergerPlanInputSchema>;
export type MergerTaskCreate = z.input<typeof MergerTaskCreateSchema>;
export type MergerTaskUpdate = z.input<typeof MergerTaskUpdateSchema>;
export type SystemMerger = z.infer<typeof SystemMergerSchema>;
export type MaintenanceWindow = z.infer<typeof MaintenanceWindowSchema>;
export type MaintenanceWindowCreate = z.input<typeof MaintenanceWindowCreateSchema>;
export type OutageCreate = z.input<typeof OutageCreateSchema>;
export type OutageUpdate = z.input<typeof OutageUpdateSchema>;
export type ReconciliationAttach = z.input<typeof ReconciliationAttachSchema>;

export interface PlansFilter {
  unitId?: string | null;
  origin?: 'bd' | 'gl' | 'new' | null;
  disposition?: Disposition | null;
  phase?: 'before' | 'during' | 'after' | null;
  state?: MergerState | null;
  overdue?: 'true' | 'false' | null;
  page: number;
  pageSize: number;
}

export const mergerKeys = {
  all: ['merger'] as const,
  plans: (f: PlansFilter) => [...mergerKeys.all, 'plans', f] as const,
  system: (systemId: string) => [...mergerKeys.all, 'system', systemId] as const,
  taskReconciliations: (taskId: string) => [...mergerKeys.all, 'task-reconciliations', taskId] as const,
  windows: (systemId: string) => [...mergerKeys.all, 'windows', systemId] as const,
  outages: (systemId: string) => [...mergerKeys.all, 'outages', systemId] as const,
  provinceOutages: (f: { planned?: boolean; page: number; pageSize: number }) => [...mergerKeys.all, 'province-outages', f] as const,
};

const enc = encodeURIComponent;

export function useMergerPlans(filter: PlansFilter) {
  return useQuery({
    queryKey: mergerKeys.plans(filter),
    queryFn: () => api<MergerPlanPage>('/merger-plans', { query: { ...filter } }),
    placeholderData: keepPreviousData,
  });
}

export function useSystemMerger(systemId: string, enabled = true) {
  return useQuery({ queryKey: mergerKeys.system(systemId), queryFn: () => api<SystemMerger>(`/systems/${enc(systemId)}/merger`), enabled });
}

/** Any merger write also changes the catalogue (disposition, status filters) and the dashboard counts. */
function useInvalidateAll() {
  const qc = useQueryClient();
  return () => Promise.all([qc.invalidateQueries({ queryKey: mergerKeys.all }), qc.invalidateQueries({ queryKey: inventoryKeys.all })]);
}

export function useUpsertPlan(systemId: string) {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: (body: MergerPlanInput) => api<MergerPlan>(`/systems/${enc(systemId)}/merger-plan`, { method: 'PUT', body }),
    onSuccess: invalidate,
  });
}

export function useCreateTask(planId: string) {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: (body: MergerTaskCreate) => api<MergerTask>(`/merger-plans/${enc(planId)}/tasks`, { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useUpdateTask() {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: ({ id, ...body }: MergerTaskUpdate & { id: string }) => api<MergerTask>(`/merger-tasks/${enc(id)}`, { method: 'PATCH', body }),
    onSuccess: invalidate,
  });
}

export function useAttachReconciliation(taskId: string) {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: (body: ReconciliationAttach) => api<Reconciliation>(`/merger-tasks/${enc(taskId)}/reconciliations`, { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

/** The two exports and the declared key / compared column names (as in the files' header lines). */
export interface ReconciliationRun {
  source: File;
  target: File;
  key: string[];
  columns: string[];
}

/** Upload two exports; the server compares them (reconcile engine) and attaches the report to the task. */
export function useRunReconciliation(taskId: string) {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: (run: ReconciliationRun) => {
      const form = new FormData();
      // Fields first, then the files: the server reads the parts in order.
      form.append('key', run.key.join(','));
      form.append('columns', run.columns.join(','));
      form.append('source', run.source, run.source.name);
      form.append('target', run.target, run.target.name);
      return api<Reconciliation>(`/merger-tasks/${enc(taskId)}/reconciliations/run`, { method: 'POST', body: form });
    },
    onSuccess: invalidate,
  });
}

export function useWindows(systemId: string | null) {
  return useQuery({
    queryKey: mergerKeys.windows(systemId ?? ''),
    queryFn: () => api<{ items: MaintenanceWindow[] }>('/maintenance-windows', { query: { systemId } }).then((r) => r.items),
    enabled: !!systemId,
  });
}

export function useCreateWindow() {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: (body: MaintenanceWindowCreate) => api<MaintenanceWindow>('/maintenance-windows', { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useOutages(systemId: string | null) {
  return useQuery({
    queryKey: mergerKeys.outages(systemId ?? ''),
    queryFn: () => api<{ items: Outage[] }>('/outages', { query: { systemId } }).then((r) => r.items),
    enabled: !!systemId,
  });
}

export function useRecordOutage() {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: (body: OutageCreate) => api<Outage>('/outages', { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useUpdateOutage() {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: ({ id, ...body }: OutageUpdate & { id: string }) => api<Outage>(`/outages/${enc(id)}`, { method: 'PATCH', body }),
    onSuccess: invalidate,
  });
}

/** Stops of every system in the actor's scope (e.g. planned=false: unplanned ones), newest first, one page. */
export function useProvinceOutages(f: { planned?: boolean; page: number; pageSize: number }, enabled = true) {
  return useQuery({
    queryKey: mergerKeys.provinceOutages(f),
    queryFn: () => api<{ items: Outage[]; total: number }>('/outages', { query: { planned: f.planned === undefined ? undefined : String(f.planned), page: f.page, pageSize: f.pageSize } }),
    placeholderData: keepPreviousData,
    enabled,
  });
}
