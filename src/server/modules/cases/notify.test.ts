import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import { runCasesTick } from './cases.jobs.js';
import { backoffMs } from './notify.service.js';

/** Real local receivers: an SMTP sink (smtp-server), a webhook receiver and a stand-in for the Telegram Bot API. */
const mails: { from: string; to: string[]; raw: string }[] = [];
let smtp: SMTPServer;
let smtpPort: number;

interface Hit { path: string; headers: IncomingMessage['headers']; body: string }
const webhookHits: Hit[] = [];
let webhookStatus: number[] = [];
let webhookDefault = 200;
const telegramHits: Hit[] = [];
let http: Server;
let httpPort: number;
const BOT_TOKEN = '7000000001:AAFakeTokenForTestsOnly_abcdefghijk';
const SECRET = 'webhook-secret-for-tests-0123456789';

let ctx: TestContext;
let soc: TestUser;
let unitA: { id: string; path: string };

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString('utf8')));
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        cb();
      });
    },
  });
  await new Promise<void>((ok) => smtp.listen(0, '127.0.0.1', ok));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  http = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      const hit = { path: req.url ?? '', headers: req.headers, body };
      if (req.url?.startsWith('/bot')) {
        telegramHits.push(hit);
        const ok = req.url === `/bot${BOT_TOKEN}/sendMessage`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { ok: true, result: { message_id: telegramHits.length } } : { ok: false, error_code: 401, description: `Unauthorized ${req.url}` }));
        return;
      }
      webhookHits.push(hit);
      res.writeHead(webhookStatus.shift() ?? webhookDefault).end('ok');
    });
  });
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  httpPort = (http.address() as AddressInfo).port;
  ctx = await createTestContext({
    configure: (c) => ({ ...c, cases: { ...c.cases, tickMs: 0, smtpUrl: `smtp://127.0.0.1:${smtpPort}`, smtpFrom: 'Khiên SOC <soc@gialai.gov.vn>', telegramApiUrl: `http://127.0.0.1:${httpPort}`, telegramBotToken: BOT_TOKEN } }),
  });
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  unitA = await insertUnit(ctx, { code: 'SO-KHCN', name: 'Sở Khoa học và Công nghệ', parentId: root.id });
  soc = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'soc_analyst', unitId: root.id }] });
  await ctx.db.updateTable('users').set({ email: 'phan.van.tuan@gialai.gov.vn' }).where('id', '=', soc.id).execute();
});
afterAll(async () => {
  await ctx?.close();
  await new Promise<void>((ok) => smtp?.close(() => ok()));
  await new Promise<void>((ok) => http?.close(() => ok()));
});

const inject = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: soc.headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
/** Move the clock; the test session is kept alive (session expiry is not what is tested here). */
async function advance(ms: number): Promise<void> {
  ctx.advance(ms);
  await ctx.db.updateTable('sessions').set({ last_seen_at: new Date(ctx.now()).toISOString(), expires_at: new Date(ctx.now() + 12 * 3_600_000).toISOString() }).execute();
}
const tick = () => runCasesTick({ db: ctx.db, keys: ctx.keys, config: ctx.config, clock: ctx.now });
const deliveries = async () => (await inject('GET', '/notification-deliveries?limit=500')).json().items as { caseId: string; kind: string; status: string; attempts: number; lastError: string | null; event: string; target: string; nextAttemptAt: string | null; responseStatus: number | null }[];

describe('notifications', () => {
  it('an e-mail to a case member really arrives at the SMTP sink', async () => {
    const c = (await inject('POST', '/cases', { title: 'Mã độc trên máy chủ thư', category: 'malware', severity: 'high', unitId: unitA.id, assigneeIds: [soc.id] })).json();
    const r = await tick();
    expect(r.delivered.sent).toBeGreaterThanOrEqual(1);
    expect(mails.length).toBe(1);
    expect(mails[0]!.to).toEqual(['phan.van.tuan@gialai.gov.vn']);
    expect(mails[0]!.from).toBe('soc@gialai.gov.vn');
    expect(mails[0]!.raw).toMatch(/Subject: =\?UTF-8\?/); // Vietnamese subject, MIME-encoded
    expect(mails[0]!.raw).toContain(c.number);
    expect((await deliveries()).find((d) => d.kind === 'email')).toMatchObject({ status: 'sent', attempts: 1, event: 'case.created' });
  });

  it('a webhook is signed with HMAC-SHA256, retried with back-off after a failure, and logged', async () => {
    const ch = await inject('POST', '/notification-channels', { kind: 'webhook', name: 'Cổng điều phối PA05', target: `http://127.0.0.1:${httpPort}/hook?token=abc`, secret: SECRET, unitId: unitA.id, minSeverity: 'high' });
    expect(ch.statusCode, ch.body).toBe(201);
    expect(ch.json()).toMatchObject({ hasSecret: true, target: `http://127.0.0.1:${httpPort}/hook?…` });
    expect(ch.body).not.toContain(SECRET);
    // Below the channel's minimum severity: nothing for the webhook.
    await inject('POST', '/cases', { title: 'Quét cổng từ bên ngoài', category: 'other', severity: 'low', unitId: unitA.id });
    webhookStatus = [500, 200];
    const c = (await inject('POST', '/cases', { title: 'Thay giao diện cổng thông tin xã', category: 'web_defacement', severity: 'critical', unitId: unitA.id })).json();
    await tick();
    expect(webhookHits.length).toBe(1);
    let log = (await deliveries()).filter((d) => d.kind === 'webhook');
    expect(log).toEqual([expect.objectContaining({ status: 'pending', attempts: 1, lastError: 'Webhook HTTP 500', responseStatus: 500 })]);
    expect(Date.parse(log[0]!.nextAttemptAt!) - ctx.now()).toBe(backoffMs(1));
    await tick(); // not yet due
    expect(webhookHits.length).toBe(1);
    await advance(backoffMs(1));
    await tick();
    expect(webhookHits.length).toBe(2);
    log = (await deliveries()).filter((d) => d.kind === 'webhook');
    expect(log[0]).toMatchObject({ status: 'sent', attempts: 2, responseStatus: 200 });
    const hit = webhookHits[1]!;
    const ts = hit.headers['x-khien-timestamp'] as string;
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${hit.body}`).digest('hex')}`;
    expect(hit.headers['x-khien-signature']).toBe(expected);
    expect(JSON.parse(hit.body)).toMatchObject({ event: 'case.created', case: { id: c.id, number: c.number, severity: 'critical' } });
    // A receiver checking with another secret would refuse it.
    expect(hit.headers['x-khien-signature']).not.toBe(`sha256=${createHmac('sha256', 'other-secret-000000').update(`${ts}.${hit.body}`).digest('hex')}`);
  });

  it('a delivery that keeps failing is marked failed after the last attempt', async () => {
    webhookDefault = 503;
    const c = (await inject('POST', '/cases', { title: 'DDoS cổng dịch vụ công', category: 'ddos', severity: 'critical', unitId: unitA.id })).json();
    for (let i = 0; i < 6; i++) {
      await tick();
      await advance(backoffMs(6));
    }
    const mine = (await deliveries()).filter((d) => d.kind === 'webhook' && d.caseId === c.id && d.event === 'case.created');
    expect(mine).toEqual([expect.objectContaining({ status: 'failed', attempts: 6, lastError: 'Webhook HTTP 503', nextAttemptAt: null })]);
    webhookDefault = 200;
  });

  it('Telegram sendMessage reaches the Bot API stand-in; a TLP:RED title never leaves; no token in the log', async () => {
    await inject('PUT', '/notification-preferences', { email: false, telegramChatId: '-1001234567890', minSeverity: 'medium', events: [] });
    const c = (await inject('POST', '/cases', { title: 'Lộ danh sách 12.000 hồ sơ của Sở Nội vụ', category: 'data_leak', severity: 'high', tlp: 'red', unitId: unitA.id, assigneeIds: [soc.id] })).json();
    const before = mails.length;
    await tick();
    expect(mails.length).toBe(before); // e-mail turned off in the preferences
    const hit = telegramHits.at(-1)!;
    expect(hit.path).toBe(`/bot${BOT_TOKEN}/sendMessage`);
    const body = JSON.parse(hit.body);
    expect(body.chat_id).toBe('-1001234567890');
    expect(body.text).toContain(c.number);
    expect(body.text).not.toContain('12.000 hồ sơ');
    // A wrong token: the error is kept without the token.
    ctx.config.cases.telegramBotToken = '7000000001:WRONGtokenWRONGtokenWRONGtoken';
    await inject('POST', '/cases', { title: 'Tài khoản bị chiếm', category: 'account_compromise', severity: 'high', unitId: unitA.id, assigneeIds: [soc.id] });
    await tick();
    ctx.config.cases.telegramBotToken = BOT_TOKEN;
    const bad = (await deliveries()).find((d) => d.kind === 'telegram' && d.status === 'pending')!;
    expect(bad.lastError).toContain('Telegram 401');
    expect(bad.lastError).not.toContain('WRONGtoken');
    const all = JSON.stringify(await deliveries());
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(SECRET);
  });

  it('channels are managed only within the manager\'s scope', async () => {
    const other = await insertUnit(ctx, { code: 'SO-NV', name: 'Sở Nội vụ' });
    const op = await insertUserWithSession(ctx, { unitId: other.id, grants: [{ role: 'unit_manager', unitId: other.id }] });
    const r = await ctx.app.inject({ method: 'POST', url: '/api/v1/notification-channels', headers: op.headers, payload: { kind: 'email', name: 'Hộp thư SOC', target: 'soc@gialai.gov.vn', unitId: unitA.id } });
    expect(r.statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/notification-channels', headers: op.headers })).json().items).toEqual([]);
  });
});
