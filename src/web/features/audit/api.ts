import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { AuditEvent } from '../../../contracts/audit.js';
import { api } from '../../components/api-client.js';

export interface AuditFilter {
  action?: string;
  outcome?: 'success' | 'failure' | 'denied' | null;
  actor?: string;
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

export interface AuditPage {
  items: AuditEvent[];
  total: number;
  page: number;
  pageSize: number;
}

export const auditKeys = { all: ['audit'] as const, list: (f: AuditFilter) => [...auditKeys.all, 'list', f] as const };

export function useAuditEvents(filter: AuditFilter) {
  return useQuery({
    queryKey: auditKeys.list(filter),
    queryFn: async (): Promise<AuditPage> => {
      const res = await api<AuditPage | AuditEvent[]>('/audit-events', { query: { ...filter } });
      return Array.isArray(res) ? { items: res, total: res.length, page: filter.page, pageSize: filter.pageSize } : res;
    },
    placeholderData: keepPreviousData,
  });
}
