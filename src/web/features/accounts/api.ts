import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  AccountFinding, AccountMapping, AccountSnapshot, AccountSource, FilePreviewSchema, MfaCoverageRow, MyReview, ReviewCampaign, ReviewCampaignCreateSchema,
  ReviewItem, ReviewNotice, RevocationTask, SnapshotDiff, SystemAccount,
} from '../../../contracts/accounts.js';
import { api, download } from '../../components/api-client.js';

export type FilePreview = z.infer<typeof FilePreviewSchema>;
export type ReviewCampaignCreate = z.input<typeof ReviewCampaignCreateSchema>;

export interface AccountsFilter {
  systemId?: string | null;
  unitId?: string | null;
  personId?: string | null;
  situation?: string | null;
  findingKind?: string | null;
  q?: string;
  page: number;
  pageSize: number;
}

export interface FindingsFilter {
  systemId?: string | null;
  unitId?: string | null;
  kind?: string | null;
  severity?: string | null;
  page: number;
  pageSize: number;
}

export const accountKeys = {
  all: ['accounts'] as const,
  sources: (systemId: string) => [...accountKeys.all, 'sources', systemId] as const,
  snapshots: (sourceId: string) => [...accountKeys.all, 'snapshots', sourceId] as const,
  diff: (from: string, to: string) => [...accountKeys.all, 'diff', from, to] as const,
  accounts: (f: AccountsFilter) => [...accountKeys.all, 'list', f] as const,
  findings: (f: FindingsFilter) => [...accountKeys.all, 'findings', f] as const,
  mfa: () => [...accountKeys.all, 'mfa'] as const,
  campaigns: () => [...accountKeys.all, 'campaigns'] as const,
  campaign: (id: string) => [...accountKeys.all, 'campaign', id] as const,
  items: (id: string, outcome: string | null, page: number) => [...accountKeys.all, 'items', id, outcome, page] as const,
  mine: (pending: boolean) => [...accountKeys.all, 'mine', pending] as const,
  notices: () => [...accountKeys.all, 'notices'] as const,
  tasks: (f: { status?: string | null; systemId?: string | null; personId?: string | null; page: number }) => [...accountKeys.all, 'tasks', f] as const,
};

export function useAccountSources(systemId: string | null) {
  return useQuery({
    queryKey: accountKeys.sources(systemId ?? ''),
    queryFn: () => api<{ items: AccountSource[] }>('/account-sources', { query: { systemId } }).then((r) => r.items),
    enabled: !!systemId,
  });
}

export function useSnapshots(sourceId: string | null) {
  return useQuery({
    queryKey: accountKeys.snapshots(sourceId ?? ''),
    queryFn: () => api<{ items: AccountSnapshot[] }>(`/account-sources/${sourceId}/snapshots`).then((r) => r.items),
    enabled: !!sourceId,
  });
}

export function useSnapshotDiff(from: string | null, to: string | null) {
  return useQuery({
    queryKey: accountKeys.diff(from ?? '', to ?? ''),
    queryFn: () => api<SnapshotDiff>(`/account-snapshots/${to}/diff`, { query: { from } }),
    enabled: !!from && !!to,
  });
}

export function useAccounts(filter: AccountsFilter, enabled = true) {
  return useQuery({
    queryKey: accountKeys.accounts(filter),
    queryFn: () => api<{ items: SystemAccount[]; total: number }>('/accounts', { query: { ...filter } }),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useFindings(filter: FindingsFilter) {
  return useQuery({
    queryKey: accountKeys.findings(filter),
    queryFn: () => api<{ items: AccountFinding[]; total: number }>('/account-findings', { query: { ...filter } }),
    placeholderData: keepPreviousData,
  });
}

export function exportFindings(filter: Omit<FindingsFilter, 'page' | 'pageSize'>) {
  return download('/account-findings/export', { ...filter }, 'phat-hien-tai-khoan.xlsx');
}

export function useMfaCoverage(enabled = true) {
  return useQuery({ queryKey: accountKeys.mfa(), queryFn: () => api<{ items: MfaCoverageRow[] }>('/account-mfa-coverage').then((r) => r.items), enabled });
}

export function usePreviewFile() {
  return useMutation({
    mutationFn: (file: File) => {
      const body = new FormData();
      body.append('file', file, file.name);
      return api<FilePreview>('/account-files/preview', { method: 'POST', body });
    },
  });
}

export function useCreateSource() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { systemId: string; name: string; kind: 'file' | 'push'; mapping?: AccountMapping }) => api<AccountSource>('/account-sources', { method: 'POST', body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.all }),
  });
}

export function useUpdateSource() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...input }: { id: string; mapping: AccountMapping }) => api<AccountSource>(`/account-sources/${id}`, { method: 'PATCH', body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.all }),
  });
}

export function useImportAccounts() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ sourceId, file }: { sourceId: string; file: File }) => {
      const body = new FormData();
      body.append('file', file, file.name);
      return api<{ snapshot: AccountSnapshot }>(`/account-sources/${sourceId}/import`, { method: 'POST', body });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.all }),
  });
}

export function useCreateApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (sourceId: string) => api<{ id: string; prefix: string; key: string; createdAt: string }>(`/account-sources/${sourceId}/api-key`, { method: 'POST', body: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.all }),
  });
}

export function useCampaigns() {
  return useQuery({ queryKey: accountKeys.campaigns(), queryFn: () => api<{ items: ReviewCampaign[] }>('/review-campaigns').then((r) => r.items) });
}

export function useCampaign(id: string | null) {
  return useQuery({ queryKey: accountKeys.campaign(id ?? ''), queryFn: () => api<ReviewCampaign>(`/review-campaigns/${id}`), enabled: !!id });
}

export function useCampaignItems(id: string | null, outcome: string | null, page: number) {
  return useQuery({
    queryKey: accountKeys.items(id ?? '', outcome, page),
    queryFn: () => api<{ items: ReviewItem[]; total: number }>(`/review-campaigns/${id}/items`, { query: { outcome, page, pageSize: 25 } }),
    enabled: !!id,
    placeholderData: keepPreviousData,
  });
}

export function useCreateCampaign() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: ReviewCampaignCreate) => api<ReviewCampaign>('/review-campaigns', { method: 'POST', body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.all }),
  });
}

export function useCloseStage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<ReviewCampaign>(`/review-campaigns/${id}/close-stage`, { method: 'POST', body: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.all }),
  });
}

export function useMyReviews(pending: boolean) {
  return useQuery({ queryKey: accountKeys.mine(pending), queryFn: () => api<{ items: MyReview[] }>('/my-reviews', { query: { pending: pending ? 'true' : undefined } }).then((r) => r.items) });
}

export function useDecide() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ assignmentId, decision, comment }: { assignmentId: string; decision: string; comment: string }) =>
      api<MyReview>(`/review-assignments/${assignmentId}/decision`, { method: 'POST', body: { decision, comment } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.all }),
  });
}

export function useNotices() {
  return useQuery({ queryKey: accountKeys.notices(), queryFn: () => api<{ items: ReviewNotice[] }>('/review-notices').then((r) => r.items) });
}

export function useRunTick() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ reminders: number; overdue: number; escalations: number; tasksEscalated: number }>('/review-tick', { method: 'POST', body: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.all }),
  });
}

export function useRevocationTasks(f: { status?: string | null; systemId?: string | null; personId?: string | null; page: number }) {
  return useQuery({
    queryKey: accountKeys.tasks(f),
    queryFn: () => api<{ items: RevocationTask[]; total: number }>('/revocation-tasks', { query: { ...f, pageSize: 25 } }),
    placeholderData: keepPreviousData,
  });
}

export function useNoteTask() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, operatorNote }: { id: string; operatorNote: string }) => api<RevocationTask>(`/revocation-tasks/${id}`, { method: 'PATCH', body: { operatorNote } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.all }),
  });
}
