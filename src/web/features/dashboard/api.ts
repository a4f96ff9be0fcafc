import { useQuery } from '@tanstack/react-query';
import { api, ApiError } from '../../components/api-client.js';

export const dashboardKeys = { all: ['dashboard'] as const, summary: () => [...dashboardKeys.all, 'summary'] as const };

/** One number of the dashboard: its path in the response (e.g. `people.active`) and value. */
export interface Metric {
  path: string;
  value: number;
}

/** Flatten whatever numeric fields the dashboard response carries, keeping their paths for labels. */
export function metricsOf(value: unknown, prefix = ''): Metric[] {
  if (typeof value === 'number') return [{ path: prefix, value }];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => metricsOf(v, prefix ? `${prefix}.${k}` : k));
}

/** The counts in the user's scope; null when the server has no dashboard endpoint yet. */
export function useDashboard() {
  return useQuery({
    queryKey: dashboardKeys.summary(),
    queryFn: async (): Promise<Metric[] | null> => {
      try {
        return metricsOf(await api<unknown>('/dashboard'));
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
  });
}
