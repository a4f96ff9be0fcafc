import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { SocAlert, SocAlertDetailSchema, SocAlertUpdate, SocEvent, SocMetricsSchema, SocSource, SocSourceCreate, SocSourceUpdate } from '../../../contracts/soc.js';
import { api } from '../../components/api-client.js';

export type SocAlertDetail = z.infer<typeof SocAlertDetailSchema>;
export type SocMetrics = z.infer<typeof SocMetricsSchema>;
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface AlertFilter {
  status?: 'open' | SocAlert['status'] | null;
  severity?: SocAlert['severity'] | null;
  q?: string;
  page: number;
  pageSize: number;
}

export interface EventFilter {
  from?: string;
  to?: string;
  host?: string;
  user?: string;
  sourceIp?: string;
  q?: string;
  field?: string;
  page: number;
  pageSize: number;
}

export const socKeys = {
  all: ['soc'] as const,
  alerts: (f: AlertFilter) => [...socKeys.all, 'alerts', f] as const,
  alert: (id: string) => [...socKeys.all, 'alert', id] as const,
  events: (f: EventFilter) => [...socKeys.all, 'events', f] as const,
  sources: () => [...socKeys.all, 'sources'] as const,
  metrics: () => [...socKeys.all, 'metrics'] as const,
};

export function useSocAlerts(f: AlertFilter) {
  return useQuery({
    queryKey: socKeys.alerts(f),
    queryFn: () => api<Page<SocAlert>>('/soc/alerts', { query: { ...f, status: f.status ?? undefined, severity: f.severity ?? undefined } }),
    placeholderData: keepPreviousData,
  });
}

export function useSocAlert(id: string) {
  return useQuery({ queryKey: socKeys.alert(id), queryFn: () => api<SocAlertDetail>(`/soc/alerts/${encodeURIComponent(id)}`) });
}

export function useUpdateAlert(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SocAlertUpdate) => api<SocAlert>(`/soc/alerts/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: socKeys.all }),
  });
}

export function useSocEvents(f: EventFilter) {
  return useQuery({ queryKey: socKeys.events(f), queryFn: () => api<Page<SocEvent>>('/soc/events', { query: { ...f } }), placeholderData: keepPreviousData });
}

export function useSocSources() {
  return useQuery({ queryKey: socKeys.sources(), queryFn: () => api<{ items: SocSource[] }>('/soc/sources') });
}

export function useCreateSource() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SocSourceCreate) => api<{ source: SocSource; apiKey: string | null }>('/soc/sources', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: socKeys.sources() }),
  });
}

export function useUpdateSource(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SocSourceUpdate) => api<SocSource>(`/soc/sources/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: socKeys.sources() }),
  });
}

export function useSocMetrics() {
  return useQuery({ queryKey: socKeys.metrics(), queryFn: () => api<SocMetrics>('/soc/metrics'), refetchInterval: 10_000 });
}
