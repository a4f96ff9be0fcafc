import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  AlertKind, CaseCreate, CaseDetail, CasePageSchema, ChannelCreateSchema, ChannelSchema, ClassifySchema, DashboardSchema, DeliverySchema, EscalateSchema,
  EscalationCandidateSchema, MembersSchema, MonthlyReportSchema, MyTaskSchema, ObservableCreateSchema, PhaseChangeSchema, PlaybookDetailSchema,
  PlaybookSummarySchema, PlaybookValidateResultSchema, PreferencesSchema, ReportSchema, TaskUpdateSchema, TimelineEntrySchema,
} from '../../../contracts/cases.js';
import { api } from '../../components/api-client.js';

export type CasePage = z.infer<typeof CasePageSchema>;
export type Candidate = z.infer<typeof EscalationCandidateSchema>;
export type MyTask = z.infer<typeof MyTaskSchema>;
export type Dashboard = z.infer<typeof DashboardSchema>;
export type PlaybookSummary = z.infer<typeof PlaybookSummarySchema>;
export type PlaybookDetail = z.infer<typeof PlaybookDetailSchema>;
export type Channel = z.infer<typeof ChannelSchema>;
export type Delivery = z.infer<typeof DeliverySchema>;
export type Preferences = z.infer<typeof PreferencesSchema>;
export type MonthlyReport = z.infer<typeof MonthlyReportSchema>;

export interface CaseFilter {
  q?: string | null;
  phase?: string | null;
  severity?: string | null;
  category?: string | null;
  unitId?: string | null;
  mine?: 'true' | null;
  overdue?: 'true' | null;
  reportable?: 'true' | null;
  page: number;
  pageSize: number;
}

export const caseKeys = {
  all: ['cases'] as const,
  list: (f: CaseFilter) => [...caseKeys.all, 'list', f] as const,
  detail: (id: string) => [...caseKeys.all, 'detail', id] as const,
  mine: () => [...caseKeys.all, 'mine'] as const,
  candidates: () => [...caseKeys.all, 'candidates'] as const,
  dashboard: () => [...caseKeys.all, 'dashboard'] as const,
  monthly: (m: string) => [...caseKeys.all, 'monthly', m] as const,
  assignable: (id: string) => [...caseKeys.all, 'assignable', id] as const,
  playbooks: () => ['playbooks'] as const,
  playbook: (key: string, v?: number) => ['playbooks', key, v ?? 'latest'] as const,
  channels: () => ['notifications', 'channels'] as const,
  deliveries: () => ['notifications', 'deliveries'] as const,
  prefs: () => ['notifications', 'prefs'] as const,
};

const enc = encodeURIComponent;

export function useCases(f: CaseFilter) {
  return useQuery({ queryKey: caseKeys.list(f), queryFn: () => api<CasePage>('/cases', { query: { ...f } }), placeholderData: keepPreviousData });
}
export function useCase(id: string) {
  return useQuery({ queryKey: caseKeys.detail(id), queryFn: () => api<CaseDetail>(`/cases/${enc(id)}`) });
}
export function useMyTasks() {
  return useQuery({ queryKey: caseKeys.mine(), queryFn: () => api<{ items: MyTask[] }>('/case-tasks/mine').then((r) => r.items) });
}
export function useCandidates(kind?: AlertKind) {
  return useQuery({ queryKey: [...caseKeys.candidates(), kind ?? 'all'], queryFn: () => api<{ items: Candidate[] }>('/case-escalation-candidates', { query: { kind } }).then((r) => r.items) });
}
export function useCaseDashboard() {
  return useQuery({ queryKey: caseKeys.dashboard(), queryFn: () => api<Dashboard>('/cases/dashboard') });
}
export function useMonthlyReport(month: string) {
  return useQuery({ queryKey: caseKeys.monthly(month), queryFn: () => api<MonthlyReport>('/case-reports/monthly', { query: { month } }) });
}
export function useAssignable(id: string, enabled: boolean) {
  return useQuery({ queryKey: caseKeys.assignable(id), queryFn: () => api<{ items: { id: string; username: string; displayName: string }[] }>(`/cases/${enc(id)}/assignable-users`).then((r) => r.items), enabled, staleTime: 60_000 });
}

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: caseKeys.all });
}

export function useCreateCase() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (body: CaseCreate) => api<CaseDetail>('/cases', { method: 'POST', body }), onSuccess: invalidate });
}
export function useEscalate() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (body: z.input<typeof EscalateSchema>) => api<CaseDetail>('/case-escalations', { method: 'POST', body }), onSuccess: invalidate });
}

/** Mutations on one case: each answers the fresh case page, which replaces the cached one. */
export function useCaseAction(id: string) {
  const qc = useQueryClient();
  const done = (c: CaseDetail) => {
    qc.setQueryData(caseKeys.detail(id), c);
    void qc.invalidateQueries({ queryKey: caseKeys.all, predicate: (q) => q.queryKey[1] !== 'detail' });
  };
  const refetch = () => qc.invalidateQueries({ queryKey: caseKeys.all });
  return {
    phase: useMutation({ mutationFn: (body: z.input<typeof PhaseChangeSchema>) => api<CaseDetail>(`/cases/${enc(id)}/phase`, { method: 'POST', body }), onSuccess: done }),
    classify: useMutation({ mutationFn: (body: z.input<typeof ClassifySchema>) => api<CaseDetail>(`/cases/${enc(id)}/classify`, { method: 'POST', body }), onSuccess: done }),
    acknowledge: useMutation({ mutationFn: () => api<CaseDetail>(`/cases/${enc(id)}/acknowledge`, { method: 'POST' }), onSuccess: done }),
    members: useMutation({ mutationFn: (body: z.input<typeof MembersSchema>) => api<CaseDetail>(`/cases/${enc(id)}/members`, { method: 'PUT', body }), onSuccess: done }),
    attachPlaybook: useMutation({ mutationFn: (key: string) => api<CaseDetail>(`/cases/${enc(id)}/playbooks`, { method: 'POST', body: { key } }), onSuccess: done }),
    comment: useMutation({ mutationFn: (text: string) => api<z.infer<typeof TimelineEntrySchema>>(`/cases/${enc(id)}/comments`, { method: 'POST', body: { text } }), onSuccess: refetch }),
    observable: useMutation({ mutationFn: (body: z.input<typeof ObservableCreateSchema>) => api<unknown>(`/cases/${enc(id)}/observables`, { method: 'POST', body }), onSuccess: refetch }),
    task: useMutation({ mutationFn: ({ taskId, ...body }: z.input<typeof TaskUpdateSchema> & { taskId: string }) => api<unknown>(`/case-tasks/${enc(taskId)}`, { method: 'PATCH', body }), onSuccess: refetch }),
    report: useMutation({ mutationFn: (body: { kind: 'initial_notice' | 'closing_report'; format: 'docx' | 'pdf' }) => api<z.infer<typeof ReportSchema>>(`/cases/${enc(id)}/reports`, { method: 'POST', body }), onSuccess: refetch }),
    attach: useMutation({
      mutationFn: (file: File) => {
        const form = new FormData();
        form.append('file', file, file.name);
        return api<unknown>(`/cases/${enc(id)}/attachments`, { method: 'POST', body: form });
      },
      onSuccess: refetch,
    }),
  };
}

export function usePlaybooks() {
  return useQuery({ queryKey: caseKeys.playbooks(), queryFn: () => api<{ items: PlaybookSummary[] }>('/playbooks').then((r) => r.items) });
}
export function usePlaybook(key: string | null, version?: number) {
  return useQuery({ queryKey: caseKeys.playbook(key ?? '', version), queryFn: () => api<PlaybookDetail>(`/playbooks/${enc(key!)}`, { query: { version } }), enabled: !!key });
}
export function useValidatePlaybook() {
  return useMutation({ mutationFn: (yaml: string) => api<z.infer<typeof PlaybookValidateResultSchema>>('/playbooks/validate', { method: 'POST', body: { yaml } }) });
}
export function useSavePlaybook(key: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (yaml: string) => (key ? api<PlaybookDetail>(`/playbooks/${enc(key)}`, { method: 'PUT', body: { yaml } }) : api<PlaybookDetail>('/playbooks', { method: 'POST', body: { yaml } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: caseKeys.playbooks() }),
  });
}

export function useChannels(enabled: boolean) {
  return useQuery({ queryKey: caseKeys.channels(), queryFn: () => api<{ items: Channel[] }>('/notification-channels').then((r) => r.items), enabled });
}
export function useDeliveries(enabled: boolean) {
  return useQuery({ queryKey: caseKeys.deliveries(), queryFn: () => api<{ items: Delivery[] }>('/notification-deliveries').then((r) => r.items), enabled });
}
export function useCreateChannel() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (body: z.input<typeof ChannelCreateSchema>) => api<Channel>('/notification-channels', { method: 'POST', body }), onSuccess: () => qc.invalidateQueries({ queryKey: ['notifications'] }) });
}
export function useToggleChannel() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => api<Channel>(`/notification-channels/${enc(id)}`, { method: 'PATCH', body: { enabled } }), onSuccess: () => qc.invalidateQueries({ queryKey: ['notifications'] }) });
}
export function usePreferences() {
  return useQuery({ queryKey: caseKeys.prefs(), queryFn: () => api<Preferences>('/notification-preferences') });
}
export function useSavePreferences() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (body: Preferences) => api<Preferences>('/notification-preferences', { method: 'PUT', body }), onSuccess: (p) => qc.setQueryData(caseKeys.prefs(), p) });
}
