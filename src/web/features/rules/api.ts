import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { RuleDetailSchema, RuleFacetsSchema, RuleFilterView, RuleView } from '../../../contracts/rules.js';
import { api } from '../../components/api-client.js';

export type RuleDetail = z.infer<typeof RuleDetailSchema>;
export type RuleFacets = z.infer<typeof RuleFacetsSchema>;

export interface RuleListFilter {
  q?: string;
  product?: string;
  category?: string;
  service?: string;
  level?: string;
  status?: string;
  source?: string;
  enabled?: 'true' | 'false';
  hit?: 'true';
}

export interface RulePage {
  items: RuleView[];
  total: number;
  page: number;
  pageSize: number;
}

const enc = encodeURIComponent;
export const ruleKeys = { all: ['rules'] as const };

export function useRules(filter: RuleListFilter, page: number, pageSize: number) {
  return useQuery({
    queryKey: [...ruleKeys.all, 'list', filter, page, pageSize],
    queryFn: () => api<RulePage>('/rules', { query: { ...filter, page, pageSize } }),
    placeholderData: keepPreviousData,
  });
}

export function useRuleFacets() {
  return useQuery({ queryKey: [...ruleKeys.all, 'facets'], queryFn: () => api<RuleFacets>('/rules/facets') });
}

export function useRule(id: string | null) {
  return useQuery({ queryKey: [...ruleKeys.all, 'one', id], queryFn: () => api<RuleDetail>(`/rules/${enc(id!)}`), enabled: !!id });
}

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: ruleKeys.all });
}

export function useSetEnabled() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => api<RuleView>(`/rules/${enc(id)}`, { method: 'PATCH', body: { enabled } }),
    onSuccess: invalidate,
  });
}

export function useBulkEnable() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { enabled: boolean; ids?: string[]; filter?: Record<string, unknown> }) => api<{ changed: number }>('/rules/bulk-enable', { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useAddFilter(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { note?: string; fields?: Record<string, string | string[]>; detectionYaml?: string }) =>
      api<RuleFilterView>(`/rules/${enc(id)}/filters`, { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useRemoveFilter(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (filterId: string) => api<{ ok: true }>(`/rules/${enc(id)}/filters/${enc(filterId)}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}
