import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AccessRecord, AccessSearch, ApiKey, EntryProof, IngestReceipt, LookupAlert } from '../../../contracts/access-log.js';
import { api, download } from '../../components/api-client.js';

export interface AccessSearchResult {
  items: AccessRecord[];
  total: number;
  page: number;
  pageSize: number;
  person: { id: string; fullName: string; status: string; bySystem: { systemId: string; systemName: string; count: number; lookups: number; firstAt: string; lastAt: string }[] } | null;
}
export interface AlertFilter {
  status?: LookupAlert['status'] | null;
  kind?: LookupAlert['kind'] | null;
  id?: string;
  page: number;
  pageSize: number;
}
export interface Checkpoint {
  treeSize: number;
  rootHash: string;
  note: string;
  createdAt: string;
  signatureValid?: boolean;
}
export interface VerifyResult {
  ok: boolean;
  treeSize: number;
  rootHash: string;
  checkpointsChecked: number;
  pruned: number;
  findings: { kind: string; message: string; leafIndex?: number }[];
  durationMs: number;
}

export const accessLogKeys = {
  all: ['access-log'] as const,
  search: (q: AccessSearch) => [...accessLogKeys.all, 'search', q] as const,
  alerts: (f: AlertFilter) => [...accessLogKeys.all, 'alerts', f] as const,
  proof: (id: string) => [...accessLogKeys.all, 'proof', id] as const,
  checkpoints: () => [...accessLogKeys.all, 'checkpoints'] as const,
  keys: (systemId: string) => [...accessLogKeys.all, 'keys', systemId] as const,
};

/** Search by POST: a typed citizen ID never goes into a URL. Disabled until the user searches. */
export function useAccessSearch(q: AccessSearch | null) {
  return useQuery({
    queryKey: accessLogKeys.search(q ?? {}),
    queryFn: () => api<AccessSearchResult>('/access-logs/search', { method: 'POST', body: q }),
    enabled: q !== null,
    placeholderData: keepPreviousData,
  });
}

export function useProof(id: string | null) {
  return useQuery({ queryKey: accessLogKeys.proof(id ?? ''), queryFn: () => api<EntryProof>(`/access-logs/${encodeURIComponent(id!)}/proof`), enabled: !!id, retry: false });
}

export function useAlerts(f: AlertFilter) {
  return useQuery({ queryKey: accessLogKeys.alerts(f), queryFn: () => api<{ items: LookupAlert[]; total: number; page: number; pageSize: number }>('/lookup-alerts', { query: { ...f } }), placeholderData: keepPreviousData });
}

export function useUpdateAlert() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; status?: LookupAlert['status']; assigneeUserId?: string | null; note?: string }) =>
      api<LookupAlert>(`/lookup-alerts/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: [...accessLogKeys.all, 'alerts'] }),
  });
}

export function useCheckpoints() {
  return useQuery({ queryKey: accessLogKeys.checkpoints(), queryFn: () => api<{ items: Checkpoint[] }>('/audit-log/checkpoints', { query: { limit: 20 } }) });
}

export function useVerifyLog() {
  return useMutation({ mutationFn: () => api<VerifyResult>('/audit-log/verify', { method: 'POST' }) });
}

export function exportBundle(): Promise<void> {
  return download('/audit-log/bundle', {}, 'khien-audit-bundle.jsonl');
}

export function useApiKeys(systemId: string | null) {
  return useQuery({ queryKey: accessLogKeys.keys(systemId ?? ''), queryFn: () => api<{ items: ApiKey[] }>(`/systems/${encodeURIComponent(systemId!)}/api-keys`), enabled: !!systemId });
}

export function useCreateApiKey(systemId: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<{ key: ApiKey; secret: string }>(`/systems/${encodeURIComponent(systemId!)}/api-keys`, { method: 'POST', body: { name } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: accessLogKeys.keys(systemId ?? '') }),
  });
}

export function useRevokeApiKey(systemId: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<ApiKey>(`/api-keys/${encodeURIComponent(id)}/revoke`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: accessLogKeys.keys(systemId ?? '') }),
  });
}

export function useUploadAccessLog(systemId: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file);
      return api<IngestReceipt>(`/systems/${encodeURIComponent(systemId!)}/access-logs/import`, { method: 'POST', body: form });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: accessLogKeys.all }),
  });
}

/**
 * RFC 9162 §2.1.3.2 inclusion verification in the browser with WebCrypto: hash 0x00 ‖ leafData, compare with
 * the leaf hash, then fold the audit path up to the root. Independent of the server's own check.
 */
export async function verifyProofInBrowser(p: EntryProof): Promise<{ leafMatches: boolean; rootMatches: boolean; steps: { side: 'left' | 'right'; sibling: string; result: string }[] }> {
  const sha = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  const b64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const cat = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  const data = new TextEncoder().encode(p.leafData);
  const leaf = await sha(cat(new Uint8Array([0]), data));
  const leafMatches = hex(leaf) === hex(b64(p.leafHash));
  let fn = p.leafIndex;
  let sn = p.treeSize - 1;
  let r = leaf;
  const steps: { side: 'left' | 'right'; sibling: string; result: string }[] = [];
  for (const s of p.proof) {
    const sib = b64(s);
    if (sn === 0) return { leafMatches, rootMatches: false, steps };
    if (fn % 2 === 1 || fn === sn) {
      r = await sha(cat(new Uint8Array([1]), sib, r));
      steps.push({ side: 'left', sibling: hex(sib), result: hex(r) });
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await sha(cat(new Uint8Array([1]), r, sib));
      steps.push({ side: 'right', sibling: hex(sib), result: hex(r) });
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return { leafMatches, rootMatches: sn === 0 && hex(r) === hex(b64(p.rootHash)), steps };
}
