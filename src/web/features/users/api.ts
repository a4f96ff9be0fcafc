import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { SessionInfo } from '../../../contracts/auth.js';
import type { User, UserCreatedSchema, UserCreateSchema, RoleGrantCreateSchema } from '../../../contracts/org.js';
import { api } from '../../components/api-client.js';
import { listOf } from '../auth/api.js';

export type UserCreate = z.input<typeof UserCreateSchema>;
export type UserCreated = z.infer<typeof UserCreatedSchema>;
export type RoleGrantCreate = z.input<typeof RoleGrantCreateSchema>;

export const userKeys = {
  all: ['users'] as const,
  list: (q: string) => [...userKeys.all, 'list', q] as const,
  sessions: (id: string) => [...userKeys.all, 'sessions', id] as const,
};

export function useUsers(q: string) {
  return useQuery({
    queryKey: userKeys.list(q),
    queryFn: () => api<User[] | { items: User[] }>('/users', { query: { q, pageSize: 500 } }).then(listOf),
  });
}

function useUserMutation<V, R>(fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.all }) });
}

export const useCreateUser = () => useUserMutation((body: UserCreate) => api<UserCreated>('/users', { method: 'POST', body }));

export const useSetUserStatus = () =>
  useUserMutation(({ id, status }: { id: string; status: 'active' | 'disabled' }) =>
    api<User>(`/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: { status } }),
  );

export const useAddGrant = () =>
  useUserMutation(({ userId, ...body }: RoleGrantCreate & { userId: string }) =>
    api<unknown>(`/users/${encodeURIComponent(userId)}/grants`, { method: 'POST', body }),
  );

export const useRemoveGrant = () =>
  useUserMutation(({ userId, grantId }: { userId: string; grantId: string }) =>
    api<unknown>(`/users/${encodeURIComponent(userId)}/grants/${encodeURIComponent(grantId)}`, { method: 'DELETE' }),
  );

export function useUserSessions(id: string | null) {
  return useQuery({
    queryKey: userKeys.sessions(id ?? ''),
    queryFn: () => api<SessionInfo[] | { items: SessionInfo[] }>(`/users/${encodeURIComponent(id!)}/sessions`).then(listOf),
    enabled: !!id,
  });
}

export const useRevokeUserSessions = () =>
  useUserMutation((id: string) => api<unknown>(`/users/${encodeURIComponent(id)}/sessions/revoke`, { method: 'POST', body: {} }));

export const useResetCredentials = () =>
  useUserMutation(({ id, ...body }: { id: string; reason: string; resetMfa: boolean }) =>
    api<UserCreated>(`/users/${encodeURIComponent(id)}/credentials/reset`, { method: 'POST', body }),
  );
