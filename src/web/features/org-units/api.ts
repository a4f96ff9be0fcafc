import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { ImportResult } from '../../../contracts/common.js';
import type { OrgUnit, OrgUnitCreateSchema, OrgUnitMergeSchema, SuccessorSchema } from '../../../contracts/org.js';
import { api } from '../../components/api-client.js';
import { listOf } from '../auth/api.js';

export type OrgUnitCreate = z.input<typeof OrgUnitCreateSchema>;
export type OrgUnitMerge = z.input<typeof OrgUnitMergeSchema>;
export type Successor = z.infer<typeof SuccessorSchema>;

export const orgUnitKeys = {
  all: ['org-units'] as const,
  list: (includeFormer: boolean) => [...orgUnitKeys.all, 'list', { includeFormer }] as const,
  successor: (id: string) => [...orgUnitKeys.all, 'successor', id] as const,
  ceased: (date: string) => [...orgUnitKeys.all, 'ceased', date] as const,
};

export function useOrgUnits(includeFormer = true, enabled = true) {
  return useQuery({
    queryKey: orgUnitKeys.list(includeFormer),
    queryFn: () => api<OrgUnit[] | { items: OrgUnit[] }>('/org-units', { query: { includeFormer } }).then(listOf),
    enabled,
    staleTime: 30_000,
  });
}

export function useSuccessor(id: string | null) {
  return useQuery({
    queryKey: orgUnitKeys.successor(id ?? ''),
    queryFn: () => api<Successor>(`/org-units/${encodeURIComponent(id!)}/successor`),
    enabled: !!id,
  });
}

export function useCeasedUnits(date: string | null) {
  return useQuery({
    queryKey: orgUnitKeys.ceased(date ?? ''),
    queryFn: () => api<OrgUnit[] | { items: OrgUnit[] }>('/org-units/ceased', { query: { date } }).then(listOf),
    enabled: !!date,
  });
}

export function useCreateOrgUnit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: OrgUnitCreate) => api<OrgUnit>('/org-units', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: orgUnitKeys.all }),
  });
}

export function useMergeOrgUnit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: OrgUnitMerge & { id: string }) =>
      api<unknown>(`/org-units/${encodeURIComponent(id)}/merge`, { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: orgUnitKeys.all }),
  });
}

export function useImportOrgUnits() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file);
      return api<ImportResult>('/org-units/import', { method: 'POST', body: form });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: orgUnitKeys.all }),
  });
}

/** Units arranged as a tree by parentId, current units before former ones, then by name. */
export interface UnitNode {
  unit: OrgUnit;
  children: UnitNode[];
}

export function buildTree(units: OrgUnit[]): UnitNode[] {
  const nodes = new Map(units.map((u) => [u.id, { unit: u, children: [] as UnitNode[] }]));
  const roots: UnitNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.unit.parentId ? nodes.get(node.unit.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const sort = (list: UnitNode[]) => {
    list.sort((a, b) => Number(b.unit.current) - Number(a.unit.current) || a.unit.name.localeCompare(b.unit.name, 'vi'));
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}
