import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { ImportResult } from '../../../contracts/common.js';
import type {
  Person,
  PersonCreateSchema,
  PersonHistoryEntrySchema,
  PersonPageSchema,
  PersonStatus,
  PersonStatusChangeSchema,
} from '../../../contracts/org.js';
import { api, download } from '../../components/api-client.js';
import { listOf } from '../auth/api.js';

export type PersonPage = z.infer<typeof PersonPageSchema>;
export type PersonCreate = z.input<typeof PersonCreateSchema>;
export type PersonStatusChange = z.input<typeof PersonStatusChangeSchema>;
export type PersonHistoryEntry = z.infer<typeof PersonHistoryEntrySchema>;

export interface PeopleFilter {
  q?: string;
  unitId?: string | null;
  status?: PersonStatus | null;
  page: number;
  pageSize: number;
}

export const peopleKeys = {
  all: ['people'] as const,
  list: (f: PeopleFilter) => [...peopleKeys.all, 'list', f] as const,
  detail: (id: string) => [...peopleKeys.all, 'detail', id] as const,
  history: (id: string) => [...peopleKeys.all, 'history', id] as const,
};

export function usePeople(filter: PeopleFilter) {
  return useQuery({
    queryKey: peopleKeys.list(filter),
    queryFn: () => api<PersonPage>('/people', { query: { ...filter } }),
    placeholderData: keepPreviousData,
  });
}

export function usePerson(id: string) {
  return useQuery({ queryKey: peopleKeys.detail(id), queryFn: () => api<Person>(`/people/${encodeURIComponent(id)}`) });
}

export function usePersonHistory(id: string) {
  return useQuery({
    queryKey: peopleKeys.history(id),
    queryFn: () => api<PersonHistoryEntry[] | { items: PersonHistoryEntry[] }>(`/people/${encodeURIComponent(id)}/history`).then(listOf),
  });
}

export function useCreatePerson() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PersonCreate) => api<Person>('/people', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: peopleKeys.all }),
  });
}

export function useChangePersonStatus(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PersonStatusChange) => api<unknown>(`/people/${encodeURIComponent(id)}/status`, { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: peopleKeys.all }),
  });
}

export function useImportPeople() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file);
      return api<ImportResult>('/people/import', { method: 'POST', body: form });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: peopleKeys.all }),
  });
}

export function exportPeople(format: 'csv' | 'xlsx', filter: Omit<PeopleFilter, 'page' | 'pageSize'>): Promise<void> {
  return download('/people/export', { ...filter, format }, `can-bo.${format}`);
}
