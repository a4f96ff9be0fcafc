import { z } from 'zod';

/**
 * The whole runtime configuration, parsed once from `KHIEN_*` environment variables.
 * Every problem is listed at once; nothing falls back silently to a secret.
 * This is the only module that reads `process.env`.
 */
const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const ConfigSchema = z.object({
  KHIEN_DATABASE_URL: z
    .string()
    .default('sqlite:./data/khien.db')
    .refine((v) => v.startsWith('sqlite:') || v.startsWith('postgres://') || v.startsWith('postgresql://'), {
      message: 'must start with sqlite: or postgres://',
    }),
  KHIEN_HOST: z.string().default('127.0.0.1'),
  KHIEN_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  KHIEN_PUBLIC_URL: z.url().optional(),
  KHIEN_DATA_DIR: z.string().default('./data'),
  KHIEN_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** 32+ byte secret (hex or base64) for keyed hashes and encryption of MFA secrets. When unset, a random key is generated once into the data directory. */
  KHIEN_SECRET_KEY: z.string().min(32).optional(),
  KHIEN_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  KHIEN_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(72).default(12),
  KHIEN_LOGIN_MAX_PER_MINUTE_PER_IP: z.coerce.number().int().min(1).default(30),
  KHIEN_TRUST_PROXY: boolish.default(false),
  KHIEN_WEB_DIR: z.string().default('./dist/web'),
  KHIEN_CORPUS_DIR: z.string().default('../shared/data'),
  /** CIDR ranges `khien scan nmap` may scan besides loopback (127.0.0.0/8, ::1), comma-separated. */
  KHIEN_SCAN_ALLOWED_RANGES: z.string().default(''),
  KHIEN_NATS_URL: z.string().optional(),
  /** Process role (`khien serve --role`): all | api | ingest | worker. */
  KHIEN_ROLE: z.enum(['all', 'api', 'ingest', 'worker']).default('all'),
  /** Syslog listeners (SOC ingestion). Address to bind; ports: -1 disables a listener. */
  KHIEN_SYSLOG_HOST: z.string().default('127.0.0.1'),
  KHIEN_SYSLOG_UDP_PORT: z.coerce.number().int().min(-1).max(65535).default(5514),
  KHIEN_SYSLOG_TCP_PORT: z.coerce.number().int().min(-1).max(65535).default(5514),
  /** RFC 5425 syslog over TLS (default 6514); needs KHIEN_SYSLOG_TLS_CERT and _KEY (PEM files). */
  KHIEN_SYSLOG_TLS_PORT: z.coerce.number().int().min(-1).max(65535).default(6514),
  KHIEN_SYSLOG_TLS_CERT: z.string().optional(),
  KHIEN_SYSLOG_TLS_KEY: z.string().optional(),
  /** CA bundle (PEM): when set, TLS senders must present a client certificate it signed. */
  KHIEN_SYSLOG_TLS_CA: z.string().optional(),
  /** Largest syslog message kept, bytes (RFC 5425 §4.3.1: SHOULD accept 8,192; longer ones are truncated and counted). */
  KHIEN_SYSLOG_MAX_MESSAGE_BYTES: z.coerce.number().int().min(480).max(1024 * 1024).default(64 * 1024),
  /** Events spooled but not yet stored above which sockets are paused (back-pressure). */
  KHIEN_SOC_QUEUE_HIGH_WATER: z.coerce.number().int().min(100).default(50_000),
  /** Number of correlation partitions (NATS subjects khien.soc.events.<n>) in scale-out mode. */
  KHIEN_SOC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(8),
  /** Scale-out: the JetStream stream of parsed events, its subject prefix (`<prefix>.<partition>`) and how long it keeps what no worker took. */
  KHIEN_NATS_STREAM: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('KHIEN_SOC_EVENTS'),
  KHIEN_NATS_SUBJECT_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'dot-separated tokens, no wildcards').default('khien.soc.events'),
  KHIEN_NATS_MAX_AGE_HOURS: z.coerce.number().int().min(1).default(168),
  /** Scale-out: a worker's partition lease lives this long without renewal (a killed worker's partitions move after it). */
  KHIEN_SOC_LEASE_SECONDS: z.coerce.number().int().min(2).max(300).default(10),
  /** Audit log origin (first line of every checkpoint); default `<public host>/audit`. */
  KHIEN_AUDIT_LOG_ORIGIN: z.string().regex(/^[^\s+]+$/, 'no spaces or plus signs').optional(),
  /** C2SP signer key `PRIVATE+KEY+…` for checkpoints; when unset, generated once into `<dataDir>/audit-log.key` (0600). */
  KHIEN_AUDIT_LOG_SIGNER_KEY: z.string().startsWith('PRIVATE+KEY+').optional(),
  /** How often the sequencer appends new audit entries as leaves (0 disables the in-process job). */
  KHIEN_AUDIT_LOG_SEQUENCE_MS: z.coerce.number().int().min(0).default(1000),
  /** Minimum time between two signed checkpoints while the tree grows. */
  KHIEN_AUDIT_LOG_CHECKPOINT_SECONDS: z.coerce.number().int().min(0).default(10),
  /** Prune payloads of platform audit entries older than this many days (leaf hashes stay). Unset: never. */
  KHIEN_AUDIT_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).optional(),
  /** Peers allowed to push checkpoints to this instance's witness endpoint: JSON [{"name","secret","verifierKey"}]. */
  KHIEN_AUDIT_WITNESS_PEERS: z.string().optional(),
  /** Witnesses this log pushes checkpoints to: JSON [{"name","url","secret"}]. */
  KHIEN_AUDIT_WITNESS_PUSH: z.string().optional(),
  /** Append-only file (on write-once storage) that receives every signed checkpoint. */
  KHIEN_AUDIT_WITNESS_FILE: z.string().optional(),
  /** SMTP server for case notifications, e.g. `smtp://user:pass@mail.example:587` (unset: e-mail is not sent). */
  KHIEN_SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  KHIEN_SMTP_FROM: z.string().default('Khiên SOC <khien@localhost>'),
  /** Telegram Bot API base URL (a proxy or a local stand-in where api.telegram.org is unreachable). */
  KHIEN_TELEGRAM_API_URL: z.url().default('https://api.telegram.org'),
  KHIEN_TELEGRAM_BOT_TOKEN: z.string().min(10).optional(),
  /** How often the case scheduler runs (clock escalation, notification delivery); 0 disables the in-process job. */
  KHIEN_CASES_TICK_MS: z.coerce.number().int().min(0).default(30_000),
  /** JSON overriding parts of the clock policy: {"regimes":{"nd331":{"initialNoticeHours":24}},"sla":{…},"warnFraction":0.25}. */
  KHIEN_CASE_CLOCKS: z.string().optional(),
  KHIEN_CASE_ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1024).default(20 * 1024 * 1024),
  KHIEN_PLAYBOOK_DIR: z.string().default('./data/playbooks'),
  /** Chromium for PDF reports (playwright-core); when missing, only DOCX is offered. */
  KHIEN_CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
});

const WitnessPeerSchema = z.array(z.object({ name: z.string().min(1), secret: z.string().min(16), verifierKey: z.string().min(1) }));
const WitnessPushSchema = z.array(z.object({ name: z.string().min(1), url: z.url(), secret: z.string().min(16) }));
export type WitnessPeer = z.infer<typeof WitnessPeerSchema>[number];
export type WitnessPush = z.infer<typeof WitnessPushSchema>[number];

function parseJsonList<T>(schema: z.ZodType<T>, value: string | undefined, name: string, problems: string[]): T | [] {
  if (!value) return [];
  try {
    const r = schema.safeParse(JSON.parse(value));
    if (r.success) return r.data;
    problems.push(`${name}: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  } catch {
    problems.push(`${name}: not valid JSON`);
  }
  return [];
}

export type Config = {
  databaseUrl: string;
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  logLevel: z.infer<typeof ConfigSchema>['KHIEN_LOG_LEVEL'];
  secretKey: string | undefined;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  loginMaxPerMinutePerIp: number;
  trustProxy: boolean;
  webDir: string;
  corpusDir: string;
  /** Extra CIDR ranges `khien scan nmap` may scan (loopback is always allowed). */
  scanAllowedRanges: string[];
  natsUrl: string | undefined;
  role: 'all' | 'api' | 'ingest' | 'worker';
  syslog: {
    host: string;
    udpPort: number;
    tcpPort: number;
    tlsPort: number;
    tlsCert: string | undefined;
    tlsKey: string | undefined;
    tlsCa: string | undefined;
    maxMessageBytes: number;
  };
  soc: { queueHighWater: number; partitions: number; leaseSeconds: number };
  nats: { stream: string; subjectPrefix: string; maxAgeHours: number };
  cases: {
    smtpUrl: string | undefined;
    smtpFrom: string;
    telegramApiUrl: string;
    telegramBotToken: string | undefined;
    tickMs: number;
    clockOverrides: unknown;
    attachmentMaxBytes: number;
    playbookDir: string;
    chromiumPath: string;
  };
  auditLog: {
    origin: string;
    signerKey: string | undefined;
    sequenceMs: number;
    checkpointSeconds: number;
    retentionDays: number | undefined;
    witnessPeers: WitnessPeer[];
    witnessPush: WitnessPush[];
    witnessFile: string | undefined;
  };
};

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Cấu hình không hợp lệ / invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parse configuration from an environment map (defaults to `process.env`); overrides win (tests). */
/** The environment for a child program Khiên runs (nmap, lynis): this process's, with the given overrides. */
export function childProcessEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = ConfigSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('KHIEN_'))),
  );
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const port = overrides.port ?? e.KHIEN_PORT;
  const problems: string[] = [];
  const witnessPeers = parseJsonList(WitnessPeerSchema, e.KHIEN_AUDIT_WITNESS_PEERS, 'KHIEN_AUDIT_WITNESS_PEERS', problems);
  const witnessPush = parseJsonList(WitnessPushSchema, e.KHIEN_AUDIT_WITNESS_PUSH, 'KHIEN_AUDIT_WITNESS_PUSH', problems);
  let clockOverrides: unknown = undefined;
  if (e.KHIEN_CASE_CLOCKS) {
    try {
      clockOverrides = JSON.parse(e.KHIEN_CASE_CLOCKS);
    } catch {
      problems.push('KHIEN_CASE_CLOCKS: not valid JSON');
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const publicUrl = e.KHIEN_PUBLIC_URL ?? `http://localhost:${port}`;
  return {
    databaseUrl: e.KHIEN_DATABASE_URL,
    host: e.KHIEN_HOST,
    port,
    publicUrl,
    dataDir: e.KHIEN_DATA_DIR,
    logLevel: e.KHIEN_LOG_LEVEL,
    secretKey: e.KHIEN_SECRET_KEY,
    sessionIdleMinutes: e.KHIEN_SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: e.KHIEN_SESSION_ABSOLUTE_HOURS,
    loginMaxPerMinutePerIp: e.KHIEN_LOGIN_MAX_PER_MINUTE_PER_IP,
    trustProxy: e.KHIEN_TRUST_PROXY,
    webDir: e.KHIEN_WEB_DIR,
    corpusDir: e.KHIEN_CORPUS_DIR,
    scanAllowedRanges: e.KHIEN_SCAN_ALLOWED_RANGES.split(',').map((r) => r.trim()).filter(Boolean),
    natsUrl: e.KHIEN_NATS_URL,
    role: e.KHIEN_ROLE,
    syslog: {
      host: e.KHIEN_SYSLOG_HOST,
      udpPort: e.KHIEN_SYSLOG_UDP_PORT,
      tcpPort: e.KHIEN_SYSLOG_TCP_PORT,
      tlsPort: e.KHIEN_SYSLOG_TLS_PORT,
      tlsCert: e.KHIEN_SYSLOG_TLS_CERT,
      tlsKey: e.KHIEN_SYSLOG_TLS_KEY,
      tlsCa: e.KHIEN_SYSLOG_TLS_CA,
      maxMessageBytes: e.KHIEN_SYSLOG_MAX_MESSAGE_BYTES,
    },
    soc: { queueHighWater: e.KHIEN_SOC_QUEUE_HIGH_WATER, partitions: e.KHIEN_SOC_PARTITIONS, leaseSeconds: e.KHIEN_SOC_LEASE_SECONDS },
    nats: { stream: e.KHIEN_NATS_STREAM, subjectPrefix: e.KHIEN_NATS_SUBJECT_PREFIX, maxAgeHours: e.KHIEN_NATS_MAX_AGE_HOURS },
    cases: {
      smtpUrl: e.KHIEN_SMTP_URL,
      smtpFrom: e.KHIEN_SMTP_FROM,
      telegramApiUrl: e.KHIEN_TELEGRAM_API_URL.replace(/\/+$/, ''),
      telegramBotToken: e.KHIEN_TELEGRAM_BOT_TOKEN,
      tickMs: e.KHIEN_CASES_TICK_MS,
      clockOverrides,
      attachmentMaxBytes: e.KHIEN_CASE_ATTACHMENT_MAX_BYTES,
      playbookDir: e.KHIEN_PLAYBOOK_DIR,
      chromiumPath: e.KHIEN_CHROMIUM_PATH,
    },
    auditLog: {
      origin: e.KHIEN_AUDIT_LOG_ORIGIN ?? `${new URL(publicUrl).hostname}/audit`,
      signerKey: e.KHIEN_AUDIT_LOG_SIGNER_KEY,
      sequenceMs: e.KHIEN_AUDIT_LOG_SEQUENCE_MS,
      checkpointSeconds: e.KHIEN_AUDIT_LOG_CHECKPOINT_SECONDS,
      retentionDays: e.KHIEN_AUDIT_LOG_RETENTION_DAYS,
      witnessPeers,
      witnessPush,
      witnessFile: e.KHIEN_AUDIT_WITNESS_FILE,
    },
    ...overrides,
  };
}

/** True when running under CI (`CI=true`): missing corpora and services then fail instead of skipping. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/** Test-only knobs, read here so that process.env stays in one file. */
export function testEnv(env: NodeJS.ProcessEnv = process.env): { db: 'sqlite' | 'postgres'; postgresUrl: string } {
  return {
    db: env.KHIEN_TEST_DB === 'postgres' ? 'postgres' : 'sqlite',
    postgresUrl: env.KHIEN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}
