import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  AuthState,
  Me,
  Passkey,
  RecoveryCodesSchema,
  SessionInfo,
  TotpEnrolmentSchema,
} from '../../../contracts/auth.js';
import type { OkSchema } from '../../../contracts/common.js';
import { api, setCsrfToken } from '../../components/api-client.js';

export type TotpEnrolment = z.infer<typeof TotpEnrolmentSchema>;
export type RecoveryCodes = z.infer<typeof RecoveryCodesSchema>;
type Ok = z.infer<typeof OkSchema>;

export const authKeys = {
  all: ['auth'] as const,
  me: () => [...authKeys.all, 'me'] as const,
  sessions: () => [...authKeys.all, 'sessions'] as const,
  passkeys: () => [...authKeys.all, 'passkeys'] as const,
};

/** The current user, or null when there is no session. */
export function useMe() {
  return useQuery({
    queryKey: authKeys.me(),
    queryFn: async (): Promise<Me | null> => {
      try {
        const me = await api<Me>('/auth/me', { quiet401: true });
        setCsrfToken(me.csrfToken);
        return me;
      } catch (err) {
        if (err instanceof Error && 'status' in err && (err as { status: number }).status === 401) {
          setCsrfToken(null);
          return null;
        }
        throw err;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

/** Every step of the login flow answers an AuthState; keep its CSRF token. */
async function authStep(path: string, body?: unknown): Promise<AuthState> {
  const state = await api<AuthState>(path, { method: 'POST', body, quiet401: true });
  setCsrfToken(state.csrfToken);
  return state;
}

/** Some steps (TOTP confirmation, passkey enrolment) also move the session on and rotate its CSRF token. */
function keepToken<T extends { csrfToken?: string }>(value: T): T {
  if (value && typeof value.csrfToken === 'string') setCsrfToken(value.csrfToken);
  return value;
}

export const authApi = {
  login: (body: { username: string; password: string }) => authStep('/auth/login', body),
  changePassword: (body: { currentPassword: string; newPassword: string }) => authStep('/auth/password', body),
  totpEnrol: () => api<TotpEnrolment>('/auth/totp/enrol', { method: 'POST', body: {} }),
  totpConfirm: (code: string) => api<RecoveryCodes & Partial<AuthState>>('/auth/totp/confirm', { method: 'POST', body: { code } }).then(keepToken),
  mfaTotp: (code: string) => authStep('/auth/mfa/totp', { code }),
  mfaRecovery: (code: string) => authStep('/auth/mfa/recovery', { code }),
  mfaWebauthnOptions: () => api<Record<string, unknown>>('/auth/mfa/webauthn/options', { method: 'POST', body: {} }),
  mfaWebauthnVerify: (response: unknown) => authStep('/auth/mfa/webauthn/verify', { response }),
  registerOptions: () => api<Record<string, unknown>>('/auth/webauthn/register/options', { method: 'POST', body: {} }),
  registerVerify: (response: unknown, name: string) =>
    api<Partial<AuthState> & Partial<RecoveryCodes>>('/auth/webauthn/register/verify', { method: 'POST', body: { response, name } }).then(keepToken),
  logout: () => api<Ok>('/auth/logout', { method: 'POST', body: {}, quiet401: true }),
  setLocale: (locale: 'vi' | 'en') => api<unknown>('/auth/locale', { method: 'PUT', body: { locale } }),
  recoveryCodes: () => api<RecoveryCodes>('/auth/recovery-codes', { method: 'POST', body: {} }),
};

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      try {
        await authApi.logout();
      } finally {
        setCsrfToken(null);
      }
    },
    onSettled: () => {
      qc.clear();
      qc.setQueryData(authKeys.me(), null);
    },
  });
}

export function useMySessions() {
  return useQuery({
    queryKey: authKeys.sessions(),
    queryFn: () => api<SessionInfo[] | { items: SessionInfo[] }>('/auth/sessions').then(listOf),
  });
}

export function useEndMySession() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<unknown>(`/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: authKeys.sessions() }),
  });
}

export function usePasskeys() {
  return useQuery({
    queryKey: authKeys.passkeys(),
    queryFn: () => api<Passkey[] | { items: Passkey[] }>('/auth/passkeys').then(listOf),
  });
}

export function useDeletePasskey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<unknown>(`/auth/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: authKeys.passkeys() });
      void qc.invalidateQueries({ queryKey: authKeys.me() });
    },
  });
}

/** Lists may come bare or wrapped in `{items}`; accept both. */
export function listOf<T>(value: T[] | { items: T[] }): T[] {
  return Array.isArray(value) ? value : value.items;
}
