import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  Asset,
  AssetKind,
  AssetCreateSchema,
  AssetPageSchema,
  AssetUpdateSchema,
  InformationSystem,
  InventoryImportResult,
  InventorySummary,
  LevelDecisionInputSchema,
  SystemCreateSchema,
  SystemDetail,
  SystemPageSchema,
  SystemStatus,
  SystemUpdateSchema,
  TransitionState,
} from '../../../contracts/inventory.js';
import { api, download } from '../../components/api-client.js';

export type SystemPage = z.infer<typeof SystemPageSchema>;
export type SystemCreate = z.input<typeof SystemCreateSchema>;
export type LevelDecisionInput = z.input<typeof LevelDecisionInputSchema>;
export type AssetPage = z.infer<typeof AssetPageSchema>;
export type AssetUpdate = z.input<typeof AssetUpdateSchema>;
export type AssetCreate = z.input<typeof AssetCreateSchema>;
export type SystemUpdate = z.input<typeof SystemUpdateSchema>;
export type DispositionFilter = 'keep' | 'consolidate' | 'retire' | 'reuse_assets' | 'none';

export interface SystemsFilter {
  q?: string;
  unitId?: string | null;
  level?: number | null;
  regime?: 'nd85' | 'nd331' | 'effective';
  status?: SystemStatus | null;
  disposition?: DispositionFilter | null;
  transition?: TransitionState | null;
  origin?: 'bd' | 'gl' | 'new' | null;
  page: number;
  pageSize: number;
}

export interface AssetsFilter {
  q?: string;
  unitId?: string | null;
  systemId?: string | null;
  kind?: AssetKind | null;
  reuseDisposition?: 'reuse' | 'transfer' | 'dispose' | null;
  page: number;
  pageSize: number;
}

export const inventoryKeys = {
  all: ['inventory'] as const,
  systems: (f: SystemsFilter) => [...inventoryKeys.all, 'systems', f] as const,
  system: (id: string) => [...inventoryKeys.all, 'system', id] as const,
  assets: (f: AssetsFilter) => [...inventoryKeys.all, 'assets', f] as const,
  asset: (id: string) => [...inventoryKeys.all, 'asset', id] as const,
  summary: () => [...inventoryKeys.all, 'summary'] as const,
};

export function useSystems(filter: SystemsFilter, enabled = true) {
  return useQuery({
    queryKey: inventoryKeys.systems(filter),
    queryFn: () => api<SystemPage>('/systems', { query: { ...filter } }),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useSystem(id: string) {
  return useQuery({ queryKey: inventoryKeys.system(id), queryFn: () => api<SystemDetail>(`/systems/${encodeURIComponent(id)}`) });
}

export function useCreateSystem() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SystemCreate) => api<InformationSystem>('/systems', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: inventoryKeys.all }),
  });
}

export function useUpdateSystem(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SystemUpdate) => api<InformationSystem>(`/systems/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: inventoryKeys.all }),
  });
}

/** Delete a system; the server refuses (409 system.in_use) while parts, a merger plan, windows or stops refer to it. */
export function useDeleteSystem(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ ok: true }>(`/systems/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => {
      qc.removeQueries({ queryKey: inventoryKeys.system(id) });
      return qc.invalidateQueries({ queryKey: inventoryKeys.all });
    },
  });
}

export function useDecideLevel(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: LevelDecisionInput) => api<SystemDetail>(`/systems/${encodeURIComponent(id)}/level-decision`, { method: 'POST', body }),
    onSuccess: (detail) => {
      qc.setQueryData(inventoryKeys.system(id), detail);
      return qc.invalidateQueries({ queryKey: inventoryKeys.all });
    },
  });
}

export function useAssets(filter: AssetsFilter) {
  return useQuery({
    queryKey: inventoryKeys.assets(filter),
    queryFn: () => api<AssetPage>('/assets', { query: { ...filter } }),
    placeholderData: keepPreviousData,
  });
}

export function useAsset(id: string | null) {
  return useQuery({
    queryKey: inventoryKeys.asset(id ?? ''),
    queryFn: () => api<Asset>(`/assets/${encodeURIComponent(id!)}`),
    enabled: !!id,
  });
}

export function useUpdateAsset(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AssetUpdate) => api<Asset>(`/assets/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: inventoryKeys.all }),
  });
}

export function useCreateAsset() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AssetCreate) => api<Asset>('/assets', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: inventoryKeys.all }),
  });
}

export function useInventorySummary(enabled = true) {
  return useQuery({ queryKey: inventoryKeys.summary(), queryFn: () => api<InventorySummary>('/inventory/summary'), enabled });
}

export function useImportInventory() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file);
      return api<InventoryImportResult>('/inventory/import', { method: 'POST', body: form });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: inventoryKeys.all }),
  });
}

export function exportInventory(): Promise<void> {
  return download('/inventory/export', {}, 'danh-muc-he-thong.xlsx');
}
