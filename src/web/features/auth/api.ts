import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  AuthState,
  FactorEnrolled,
  Me,
  Passkey,
  PasskeyEnrolled,
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

/** Enrolling a factor (TOTP confirmation, passkey) is an auth step too: it may activate the session and rotate its CSRF token. */
async function enrolStep<T extends FactorEnrolled>(path: string, body: unknown): Promise<T> {
  const state = await api<T>(path, { method: 'POST', body });
  setCsrfToken(state.csrfToken);
  return state;
}

export const authApi = {
  login: (body: { username: string; password: string }) => authStep('/auth/login', body),
  changePassword: (body: { currentPassword: string; newPassword: string }) => authStep('/auth/password', body),
  totpEnrol: () => api<TotpEnrolment>('/auth/totp/enrol', { method: 'POST', body: {} }),
  totpConfirm: (code: string) => enrolStep<FactorEnrolled>('/auth/totp/confirm', { code }),
  mfaTotp: (code: string) => authStep('/auth/mfa/totp', { code }),
  mfaRecovery: (code: string) => authStep('/auth/mfa/recovery', { code }),
  mfaWebauthnOptions: () => api<Record<string, unknown>>('/auth/mfa/webauthn/options', { method: 'POST', body: {} }),
  mfaWebauthnVerify: (response: unknown) => authStep('/auth/mfa/webauthn/verify', { response }),
  registerOptions: () => api<Record<string, unknown>>('/auth/webauthn/register/options', { method: 'POST', body: {} }),
  registerVerify: (response: unknown, name: string) => enrolStep<PasskeyEnrolled>('/auth/webauthn/register/verify', { response, name }),
  logout: () => api<Ok>('/auth/logout', { method: 'POST', body: {}, quiet401: true }),
  setLocale: (locale: 'vi' | 'en') => api<unknown>('/auth/locale', { method: 'PUT', body: { locale } }),
  recoveryCodes: (password: string) => api<RecoveryCodes>('/auth/recovery-codes', { method: 'POST', body: { password } }),
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
