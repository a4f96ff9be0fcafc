import { ErrorBodySchema } from '../../contracts/common.js';

/** An error answered by the API (`{error:{code,message,details,requestId}}`) or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
    readonly requestId: string | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;

/** The session's anti-CSRF token, taken from the login/me responses. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called on any 401 so the app can go back to the login page. */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Query;
  /** Do not redirect to the login page on 401 (the login flow itself, the initial /me probe). */
  quiet401?: boolean;
}

async function toError(res: Response): Promise<ApiError> {
  let payload: unknown = null;
  try {
    payload = await res.json();
  } catch {
    /* not JSON: fall through */
  }
  const parsed = ErrorBodySchema.safeParse(payload);
  if (parsed.success) {
    const e = parsed.data.error;
    return new ApiError(res.status, e.code, e.message, e.details, e.requestId);
  }
  return new ApiError(res.status, `http.${res.status}`, res.statusText || `HTTP ${res.status}`, null, null);
}

/** Every call to the Khiên API goes through here: same-origin cookies, JSON, CSRF header on non-GET. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  // Public POSTs (login) need the header to be present; any value will do before a session exists.
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken ?? '1';
  let res: Response;
  try {
    res = await fetch(withQuery(`/api/v1${path}`, options.query), { method, headers, body, credentials: 'same-origin' });
  } catch (err) {
    throw new ApiError(0, 'network.unreachable', err instanceof Error ? err.message : String(err), null, null);
  }
  if (!res.ok) {
    const error = await toError(res);
    if (res.status === 401 && !options.quiet401) onUnauthenticated?.();
    throw error;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Download a file from the API (exports) and hand it to the browser. */
export async function download(path: string, query: Query, fallbackName: string): Promise<void> {
  const res = await fetch(withQuery(`/api/v1${path}`, query), { credentials: 'same-origin' });
  if (!res.ok) throw await toError(res);
  const disposition = res.headers.get('content-disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match?.[1] ? decodeURIComponent(match[1]) : fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
