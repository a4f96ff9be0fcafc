import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  AssignHostInputSchema, Coverage, FindingDetail, FindingPageSchema, FindingStatus, ImportResultDto, RiskAcceptanceInputSchema, UnmatchedHostListSchema, VulnDashboard,
  VulnImportListSchema, VulnSeverity,
} from '../../../contracts/vuln.js';
import { api, download } from '../../components/api-client.js';

export type FindingPage = z.infer<typeof FindingPageSchema>;
export type UnmatchedHosts = z.infer<typeof UnmatchedHostListSchema>;
export type ImportList = z.infer<typeof VulnImportListSchema>;

export interface FindingsFilter {
  q?: string;
  unitId?: string | null;
  systemId?: string | null;
  severity?: VulnSeverity | null;
  status?: FindingStatus | null;
  kev?: 'true' | null;
  overdue?: 'true' | null;
  page: number;
  pageSize: number;
}

export const vulnKeys = {
  all: ['vuln'] as const,
  findings: (f: FindingsFilter) => [...vulnKeys.all, 'findings', f] as const,
  finding: (id: string) => [...vulnKeys.all, 'finding', id] as const,
  dashboard: (unitId: string | null, systemId: string | null) => [...vulnKeys.all, 'dashboard', unitId, systemId] as const,
  coverage: (unitId: string | null, days: number) => [...vulnKeys.all, 'coverage', unitId, days] as const,
  unmatched: () => [...vulnKeys.all, 'unmatched'] as const,
  imports: () => [...vulnKeys.all, 'imports'] as const,
};

const clean = (f: object) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== null && v !== undefined && v !== '')) as Record<string, string | number>;

export function useFindings(filter: FindingsFilter) {
  return useQuery({ queryKey: vulnKeys.findings(filter), queryFn: () => api<FindingPage>('/vuln/findings', { query: clean(filter) }), placeholderData: keepPreviousData });
}
export function exportFindings(filter: FindingsFilter) {
  const { page: _p, pageSize: _s, ...rest } = filter;
  return download('/vuln/findings/export', clean(rest), 'lo-hong.xlsx');
}
export function useFinding(id: string) {
  return useQuery({ queryKey: vulnKeys.finding(id), queryFn: () => api<FindingDetail>(`/vuln/findings/${id}`) });
}
export function useDashboard(unitId: string | null, systemId: string | null) {
  return useQuery({ queryKey: vulnKeys.dashboard(unitId, systemId), queryFn: () => api<VulnDashboard>('/vuln/dashboard', { query: clean({ unitId, systemId }) }), placeholderData: keepPreviousData });
}
export function useCoverage(unitId: string | null, days: number) {
  return useQuery({ queryKey: vulnKeys.coverage(unitId, days), queryFn: () => api<Coverage>('/vuln/malware-coverage', { query: clean({ unitId, days }) }), placeholderData: keepPreviousData });
}
export function useUnmatched() {
  return useQuery({ queryKey: vulnKeys.unmatched(), queryFn: () => api<UnmatchedHosts>('/vuln/unmatched-hosts') });
}
export function useImports() {
  return useQuery({ queryKey: vulnKeys.imports(), queryFn: () => api<ImportList>('/vuln/imports') });
}

export function useUploadReport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ file, unitId, targetAssetId }: { file: File; unitId: string; targetAssetId?: string | null }) => {
      const body = new FormData();
      body.append('file', file);
      return api<ImportResultDto>('/vuln/imports', { method: 'POST', body, query: clean({ unitId, targetAssetId }) });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: vulnKeys.all }),
  });
}

function useDecision<T>(id: string, path: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: T) => api<FindingDetail>(`/vuln/findings/${id}/${path}`, { method: 'POST', body }),
    onSuccess: (d) => {
      qc.setQueryData(vulnKeys.finding(id), d);
      void qc.invalidateQueries({ queryKey: vulnKeys.all });
    },
  });
}
export const useAcceptRisk = (id: string) => useDecision<z.input<typeof RiskAcceptanceInputSchema>>(id, 'risk-acceptance');
export const useFalsePositive = (id: string) => useDecision<{ reason: string }>(id, 'false-positive');
export const useReopen = (id: string) => useDecision<{ reason: string }>(id, 'reopen');

export function useAssignHost() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof AssignHostInputSchema>) => api<{ assetId: string; findingsMoved: number }>('/vuln/unmatched-hosts/assign', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: vulnKeys.all }),
  });
}
