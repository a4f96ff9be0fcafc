import { Secret, TOTP } from 'otpauth';
import type { App } from '../../src/server/app.js';
import { SESSION_COOKIE } from '../../src/server/modules/auth/session-guard.js';

/**
 * A browser-like client for auth tests (and the benchmark): keeps the session cookie and the CSRF token
 * from the responses, and sends them back like the web app does.
 */
export interface Reply {
  status: number;
  body: any;
  headers: Record<string, unknown>;
}

export class AuthClient {
  token: string | null = null;
  csrf: string | null = null;

  constructor(
    private readonly app: App,
    private readonly ip = '203.0.113.7',
  ) {}

  async request(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, opts: { csrf?: string | null } = {}): Promise<Reply> {
    const headers: Record<string, string> = { 'user-agent': 'vitest-browser' };
    if (this.token) headers.cookie = `${SESSION_COOKIE}=${this.token}`;
    const csrf = opts.csrf === undefined ? (this.csrf ?? 'login') : opts.csrf;
    if (csrf !== null && method !== 'GET') headers['x-csrf-token'] = csrf;
    const res = await this.app.inject({ method, url: `/api/v1${url}`, headers, remoteAddress: this.ip, ...(body !== undefined ? { payload: body as object } : {}) });
    const setCookie = res.headers['set-cookie'];
    for (const c of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const m = new RegExp(`^${SESSION_COOKIE.replace(/[$]/g, '\\$')}=([^;]*)`).exec(c);
      if (m) this.token = m[1] || null;
    }
    const json = res.body ? JSON.parse(res.body) : null;
    if (json && typeof json.csrfToken === 'string') this.csrf = json.csrfToken;
    return { status: res.statusCode, body: json, headers: res.headers as Record<string, unknown> };
  }

  post(url: string, body?: unknown, opts?: { csrf?: string | null }) {
    return this.request('POST', url, body ?? {}, opts);
  }
  get(url: string) {
    return this.request('GET', url);
  }
  del(url: string) {
    return this.request('DELETE', url);
  }
}

/** The TOTP code at `now` (ms) for a base32 secret, optionally `stepOffset` steps away. */
export function totpCode(secret: string, now: number, stepOffset = 0): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: now + stepOffset * 30_000 });
}
