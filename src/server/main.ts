import { Command, InvalidArgumentError } from 'commander';
import { buildApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './core/config.js';
import { migrateToLatest, pendingMigrations } from './db/migrator.js';
import { loadDemoData } from './modules/demo/demo-loader.js';
import { loadDemoSocCase } from './modules/demo/demo-cases.js';
import { loadDemoSoc } from './modules/demo/demo-soc.js';
import { bootstrapAdminForDemo, createAdminCommand } from './cli/admin.js';
import { formatReport, runReconcile } from './cli/reconcile.js';
import { openRuntime, type Runtime } from './runtime.js';
import { tick as reviewTick } from './modules/accounts/reviews.service.js';
import { startListeners } from './modules/soc/listeners.js';
import { socRuntimeOf } from './modules/soc/soc.runtime.js';
import { syslogAccessSink } from './modules/access-log/syslog-records.js';

/**
 * The `khien` command. `start` is the embedded demo entry point used by `npm start`: migrate the SQLite
 * database under ./data, load the demo province once, make sure an admin can log in, and serve.
 * `serve` is for production: it loads nothing and refuses to run on an unmigrated database.
 */
const program = new Command('khien').description('Khiên — nền tảng an toàn, an ninh mạng cấp tỉnh');

function runtime(overrides: Partial<Config> = {}): Runtime {
  try {
    return openRuntime(loadConfig(undefined, overrides)); // config.ts reads the environment
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

async function serve(rt: Runtime, banner?: () => void): Promise<void> {
  const role = rt.config.role;
  if ((role === 'ingest' || role === 'worker') && !rt.config.natsUrl) {
    console.error(`Vai trò ${role} cần KHIEN_NATS_URL (NATS JetStream) / role ${role} needs KHIEN_NATS_URL.`);
    process.exit(2);
  }
  const stops: Array<() => Promise<void>> = [];
  let closing = false;
  const shutdown = async (signal: string, log: { info: (o: object, m: string) => void }) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: finishing in-flight work');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    for (const stop of stops.reverse()) await stop();
    await rt.handle.close();
    process.exit(0);
  };
  if (role === 'worker') {
    // Detection workers: no HTTP, consume their partitions from NATS JetStream (modules/soc/scale-out.ts).
    const { startDetectWorker } = await import('./modules/soc/scale-out.js');
    const { loggerOptions } = await import('./core/logger.js');
    const { pino } = await import('pino');
    const log = pino(loggerOptions(rt.config) as object);
    // Access-log records the ingest recognised in syslog are stored by the worker with their events.
    const accessLog = syslogAccessSink({ keys: rt.keys, clock: rt.clock, db: rt.handle.db, log });
    const worker = await startDetectWorker({ config: rt.config, db: rt.handle.db, dialect: rt.handle.dialect, log, accessLog });
    stops.push(() => worker.stop());
    process.on('SIGTERM', () => void shutdown('SIGTERM', log));
    process.on('SIGINT', () => void shutdown('SIGINT', log));
    log.info({ role, partitions: rt.config.soc.partitions }, 'khien worker started');
    return;
  }
  const app = await buildApp({ config: rt.config, db: rt.handle.db, dialect: rt.handle.dialect, keys: rt.keys, clock: rt.clock });
  stops.push(() => app.close());
  process.on('SIGTERM', () => void shutdown('SIGTERM', app.log));
  process.on('SIGINT', () => void shutdown('SIGINT', app.log));
  await app.listen({ host: rt.config.host, port: rt.config.port });
  // Scheduler duty until a separate scheduler role exists: access review reminders and escalations (idempotent).
  const timer = setInterval(() => {
    reviewTick({ db: rt.handle.db, clock: rt.clock }).catch((err: unknown) => app.log.error({ err }, 'access review tick failed'));
  }, 10 * 60_000);
  timer.unref();
  const soc = socRuntimeOf(rt.handle.db);
  if (soc && (role === 'all' || role === 'ingest')) {
    if (rt.config.natsUrl) {
      // Scale-out: parsed events go to NATS JetStream; in role `all` this process is also one detect worker.
      const { startPublisher, startDetectWorker } = await import('./modules/soc/scale-out.js');
      const pub = await startPublisher(soc, rt.config, app.log);
      stops.push(() => pub.stop());
      if (role === 'all') {
        const accessLog = syslogAccessSink({ keys: rt.keys, clock: rt.clock, db: rt.handle.db, log: app.log });
        const worker = await startDetectWorker({ config: rt.config, db: rt.handle.db, dialect: rt.handle.dialect, log: app.log, accessLog });
        stops.push(() => worker.stop());
      }
    }
    // A syslog port already taken (another instance) is logged, not fatal: the web UI and the other listeners run.
    const listeners = await startListeners(soc, rt.config.syslog, (transport, err) => app.log.error({ err, transport }, 'soc: syslog listener could not start'));
    stops.push(() => listeners.close());
    app.log.info({ syslog: listeners.ports }, 'soc: syslog listeners ready');
  }
  banner?.();
}

const roles = ['all', 'api', 'ingest', 'worker'] as const; // ingest | worker need KHIEN_NATS_URL (modules/soc/scale-out.ts)

program
  .command('serve')
  .description('Chạy máy chủ (production): không tự nạp dữ liệu mẫu')
  .option('--role <role>', `vai trò tiến trình: ${roles.join(' | ')}`, (v) => {
    if (!(roles as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${roles.join(', ')}`);
    return v;
  }, 'all')
  .action(async (opts: { role: Config['role'] }) => {
    const rt = runtime({ role: opts.role });
    const pending = await pendingMigrations(rt.handle.db, rt.handle.dialect);
    if (pending.length > 0) {
      console.error(`Cơ sở dữ liệu chưa được cập nhật (${pending.length} migration). Chạy: khien migrate`);
      process.exit(2);
    }
    await serve(rt);
  });

program
  .command('migrate')
  .description('Cập nhật lược đồ cơ sở dữ liệu')
  .action(async () => {
    const rt = runtime();
    const applied = await migrateToLatest(rt.handle.db, rt.handle.dialect);
    console.log(applied.length ? `Đã áp dụng: ${applied.join(', ')}` : 'Cơ sở dữ liệu đã ở phiên bản mới nhất.');
    await rt.handle.close();
  });

/** SigmaHQ rules for the demo when the corpus is present (Khiên's own rules come with the demo data). */
async function demoSigma(rt: Runtime): Promise<void> {
  const { loadDemoSigmaRules } = await import('./cli/rules.js');
  const r = await loadDemoSigmaRules(rt);
  if (r) console.log(`Quy tắc SigmaHQ: ${r.compiled} biên dịch được, ${r.unsupported} chưa hỗ trợ.`);
}

program
  .command('demo')
  .description('Nạp dữ liệu mẫu tỉnh Gia Lai (mới) vào cơ sở dữ liệu trống')
  .action(async () => {
    const rt = runtime();
    await migrateToLatest(rt.handle.db, rt.handle.dialect);
    const result = await loadDemoData({ db: rt.handle.db, keys: rt.keys, clock: rt.clock, config: rt.config });
    console.log(result.loaded ? `Đã nạp ${result.units} đơn vị, ${result.people} cán bộ.` : 'Cơ sở dữ liệu đã có dữ liệu: bỏ qua.');
    if (result.loaded) await demoSigma(rt);
    const soc = await loadDemoSoc(rt.handle.db, rt.handle.dialect);
    if (soc.loaded) console.log(`SOC: ${soc.events} sự kiện, ${soc.alerts} cảnh báo.`);
    if (soc.loaded) await loadDemoSocCase({ db: rt.handle.db, keys: rt.keys, config: rt.config, clock: rt.clock });
    await rt.handle.close();
  });

program
  .command('start')
  .description('Chế độ nhúng (npm start): SQLite, dữ liệu mẫu lần đầu, in thông tin đăng nhập')
  .action(async () => {
    const rt = runtime();
    await migrateToLatest(rt.handle.db, rt.handle.dialect);
    const demo = await loadDemoData({ db: rt.handle.db, keys: rt.keys, clock: rt.clock, config: rt.config });
    if (demo.loaded) await demoSigma(rt);
    if (demo.loaded && (await loadDemoSoc(rt.handle.db, rt.handle.dialect)).loaded) {
      // A case escalated from one of the SOC demo's alerts (it exists only once the logs went through detection).
      await loadDemoSocCase({ db: rt.handle.db, keys: rt.keys, config: rt.config, clock: rt.clock });
    }
    const login = await bootstrapAdminForDemo(rt);
    await serve(rt, () => {
      const url = rt.config.publicUrl;
      const lines = [
        '',
        '  Khiên đang chạy / Khiên is running',
        `  Địa chỉ: ${url}`,
        demo.loaded ? `  Đã nạp dữ liệu mẫu: ${demo.units} đơn vị, ${demo.people} cán bộ (tỉnh Gia Lai mới).` : '',
        ...(login
          ? [
              `  Tên đăng nhập: ${login.username}`,
              `  Mật khẩu dùng một lần: ${login.password}`,
              '  Lần đăng nhập đầu tiên phải đổi mật khẩu và đăng ký xác thực hai yếu tố (TOTP hoặc passkey).',
              '  (One-time password: change it at first login, then enrol TOTP or a passkey.)',
            ]
          : ['  Đăng nhập bằng tài khoản quản trị đã tạo trước đó.']),
        '',
      ].filter((l) => l !== '');
      console.log(`\n${lines.join('\n')}\n`);
    });
  });

program
  .command('reconcile')
  .description('Đối soát dữ liệu nguồn và đích sau khi chuyển đổi (PostgreSQL, MySQL/MariaDB, SQLite, CSV, XLSX)')
  .requiredOption('--spec <file>', 'tệp JSON { source, target } mô tả hai tập dữ liệu, khoá và các cột so sánh')
  .option('--json', 'in toàn bộ báo cáo dạng JSON')
  .action(async (opts: { spec: string; json?: boolean }) => {
    const controller = new AbortController();
    process.on('SIGINT', () => controller.abort());
    const report = await runReconcile(opts.spec, controller.signal);
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatReport(report));
    // Exit status: 0 equal, 3 different (errors exit 1), so scripts can gate a cut-over on it.
    process.exitCode = report.outcome === 'equal' ? 0 : 3;
  });

const accounts = program.command('accounts').description('Quản trị tài khoản các hệ thống thông tin');
accounts
  .command('tick')
  .description('Nhắc hạn rà soát, đánh dấu quá hạn và leo thang việc thu hồi quá hạn (máy chủ tự chạy 10 phút một lần)')
  .action(async () => {
    const rt = runtime();
    const r = await reviewTick({ db: rt.handle.db, clock: rt.clock });
    console.log(`Nhắc hạn: ${r.reminders}, quá hạn: ${r.overdue}, báo người lập đợt: ${r.escalations}, việc thu hồi leo thang: ${r.tasksEscalated}`);
    await rt.handle.close();
  });

const rules = program.command('rules').description('Quy tắc phát hiện Sigma');
rules
  .command('import <dir>')
  .description('Nạp quy tắc Sigma từ một bản sao SigmaHQ (thư mục rules*, …) hoặc thư mục YAML; chạy lại không tạo trùng')
  .option('--source <source>', 'nguồn: sigmahq | khien | custom', 'sigmahq')
  .option('--json', 'in kết quả dạng JSON')
  .action(async (dir: string, opts: { source: string; json?: boolean }) => {
    if (!['sigmahq', 'khien', 'custom'].includes(opts.source)) throw new InvalidArgumentError(`--source ${opts.source}`);
    const { formatRulesImport, runRulesImport } = await import('./cli/rules.js');
    const rt = runtime();
    const r = await runRulesImport(rt, dir, opts.source as 'sigmahq' | 'khien' | 'custom');
    console.log(opts.json ? JSON.stringify(r, null, 2) : formatRulesImport(r));
    await rt.handle.close();
  });

const user = program.command('user').description('Quản lý người dùng');
user
  .command('create-admin')
  .description('Tạo tài khoản quản trị với mật khẩu dùng một lần (in ra màn hình)')
  .requiredOption('--username <username>', 'tên đăng nhập')
  .option('--display-name <name>', 'họ tên hiển thị', 'Quản trị hệ thống')
  .option('--unit-code <code>', 'mã đơn vị gốc được cấp quyền (mặc định: đơn vị gốc duy nhất)')
  .option('--unit-name <name>', 'tên đơn vị gốc, nếu cơ sở dữ liệu chưa có đơn vị nào')
  .action(async (opts: { username: string; displayName: string; unitCode?: string; unitName?: string }) => {
    const rt = runtime();
    await migrateToLatest(rt.handle.db, rt.handle.dialect);
    const { username, password } = await createAdminCommand(rt, opts);
    console.log(`Tên đăng nhập: ${username}\nMật khẩu dùng một lần: ${password}\nĐổi mật khẩu và đăng ký xác thực hai yếu tố ở lần đăng nhập đầu.`);
    await rt.handle.close();
  });

// ── audit: the tamper-evident audit log (modules/audit: merkle.*, verify.*, checkpoint.*) ──
const audit = program.command('audit').description('Nhật ký kiểm toán chống sửa đổi (cây Merkle, checkpoint đã ký)');
audit
  .command('verify')
  .description('Tính lại cây Merkle từ các bản ghi và kiểm tra mọi checkpoint, chữ ký; báo vị trí bản ghi bị sửa/xoá/chèn/đảo')
  .option('--offline <bundle>', 'kiểm tra một gói xuất (không cần cơ sở dữ liệu)')
  .option('--key <verifierKey>', 'khoá kiểm tra công bố (mặc định: khoá của máy chủ này / trong gói)')
  .option('--witness-file <file>', 'tệp checkpoint của bên chứng kiến (chỉ ghi thêm) để đối chiếu')
  .option('--json', 'in báo cáo dạng JSON')
  .option('--workers <n>', 'số luồng kiểm tra song song, mỗi luồng một kết nối chỉ đọc (mặc định: theo số lõi với nhật ký lớn; 0 = một luồng)')
  .action(async (opts: { offline?: string; key?: string; witnessFile?: string; json?: boolean; workers?: string }) => {
    const { formatVerifyReport } = await import('./modules/audit/verify.js');
    const { readWitnessFile, verifyBundle, verifyDatabase } = await import('./modules/audit/verify.service.js');
    const witnessed = opts.witnessFile ? readWitnessFile(opts.witnessFile) : [];
    let report;
    if (opts.offline) {
      report = await verifyBundle(opts.offline, { trustedKey: opts.key, witnessed });
    } else {
      const rt = runtime();
      const { loadAuditSigner, verifierKeyOf } = await import('./modules/audit/checkpoint.service.js');
      const { parseVerifierKey } = await import('./engines/merkle/index.js');
      const verifier = parseVerifierKey(opts.key ?? verifierKeyOf(loadAuditSigner(rt.config, { create: false })));
      const workers = opts.workers === undefined ? undefined : Number(opts.workers);
      if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new Error('--workers: một số nguyên ≥ 0');
      report = await verifyDatabase(rt.handle.db, verifier, verifier.name, witnessed, { url: rt.config.databaseUrl, workers });
      await rt.handle.close();
    }
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatVerifyReport(report));
    // Exit status: 0 verified, 4 tampering or inconsistency found (errors exit 1).
    process.exitCode = report.ok ? 0 : 4;
  });
audit
  .command('export <file>')
  .description('Xuất gói kiểm chứng (JSON lines: checkpoint, lá, bản ghi, khoá công khai) cho thanh tra')
  .action(async (file: string) => {
    const rt = runtime();
    const { loadAuditSigner, verifierKeyOf } = await import('./modules/audit/checkpoint.service.js');
    const { exportBundle } = await import('./modules/audit/verify.service.js');
    const signer = loadAuditSigner(rt.config, { create: false });
    const r = await exportBundle(rt.handle.db, file, { origin: signer.name, verifierKey: verifierKeyOf(signer), exportedAt: new Date().toISOString() });
    console.log(`${file}: ${r.leaves} lá, ${r.checkpoints} checkpoint. Kiểm tra: khien audit verify --offline ${file} --key '${verifierKeyOf(signer)}'`);
    await rt.handle.close();
  });
audit
  .command('public-key')
  .description('In khoá kiểm tra công khai (C2SP signed-note) của nhật ký')
  .action(async () => {
    const { loadAuditSigner, verifierKeyOf } = await import('./modules/audit/checkpoint.service.js');
    console.log(verifierKeyOf(loadAuditSigner(loadConfig(), { create: false })));
  });

// ── scan: real scanners on this machine (modules/vuln, cli/scan.ts) ──
async function unitIdByCode(rt: Runtime, code: string): Promise<string> {
  const { findUnitsByCodes } = await import('./modules/org/org-unit.repository.js');
  const unit = (await findUnitsByCodes(rt.handle.db, [code])).get(code);
  if (!unit) throw new Error(`Không có đơn vị mã ${code}.`);
  return unit.id;
}
const scan = program.command('scan').description('Chạy công cụ quét trên máy này và nhập kết quả vào Khiên');
scan
  .command('nmap <targets...>')
  .description('Quét cổng bằng nmap (chỉ 127.0.0.0/8 và ::1, trừ khi KHIEN_SCAN_ALLOWED_RANGES cho phép thêm) rồi nhập kết quả')
  .requiredOption('--unit <code>', 'mã đơn vị sở hữu kết quả (máy chưa có trong danh mục tài sản)')
  .option('--ports <list>', 'danh sách cổng, ví dụ 22,80,443 hoặc 1-1024 (mặc định: 1000 cổng phổ biến)')
  .action(async (targets: string[], opts: { unit: string; ports?: string }) => {
    const rt = runtime();
    await migrateToLatest(rt.handle.db, rt.handle.dialect);
    const { scanNmap } = await import('./cli/scan.js');
    const r = await scanNmap({ db: rt.handle.db, clock: rt.clock }, { targets, unitId: await unitIdByCode(rt, opts.unit), ports: opts.ports, allowedRanges: rt.config.scanAllowedRanges });
    console.log(`nmap: ${r.hosts} máy, ${r.findings} phát hiện (mới ${r.created}, giữ ${r.kept}, mở lại ${r.reopened}, đã khắc phục ${r.mitigated}); máy chưa khớp tài sản: ${r.unmatchedHosts}.`);
    await rt.handle.close();
  });
scan
  .command('lynis')
  .description('Chạy lynis audit system (không tương tác) trên máy này rồi nhập report.dat')
  .requiredOption('--unit <code>', 'mã đơn vị sở hữu máy')
  .option('--tests <ids>', 'chỉ chạy các bài kiểm tra này (cách nhau bởi dấu phẩy), ví dụ MALW-3280')
  .option('--groups <names>', 'chỉ nạp các nhóm kiểm tra này (cách nhau bởi dấu phẩy), ví dụ malware,hardening — nhanh hơn nhiều khi dùng cùng --tests')
  .option('--no-plugins', 'không chạy các plugin của hồ sơ Lynis (plugin Debian tự quét mọi tệp thực thi)')
  .action(async (opts: { unit: string; tests?: string; groups?: string; plugins: boolean }) => {
    const rt = runtime();
    await migrateToLatest(rt.handle.db, rt.handle.dialect);
    const { scanLynis } = await import('./cli/scan.js');
    const r = await scanLynis({ db: rt.handle.db, clock: rt.clock }, {
      unitId: await unitIdByCode(rt, opts.unit), tests: opts.tests?.split(',').map((t) => t.trim()), groups: opts.groups?.split(',').map((g) => g.trim()), plugins: opts.plugins,
    });
    console.log(`lynis: ${r.findings} cảnh báo/gợi ý (mới ${r.created}, giữ ${r.kept}, đã khắc phục ${r.mitigated}); bản ghi quét mã độc: ${r.malwareScans}.`);
    await rt.handle.close();
  });
const vuln = program.command('vuln').description('Quản lý lỗ hổng: danh mục KEV, điểm EPSS, nhập báo cáo');
vuln
  .command('kev <file>')
  .description('Nạp danh mục CISA KEV (known_exploited_vulnerabilities.json) và tính lại ưu tiên')
  .action(async (file: string) => {
    const rt = runtime();
    const { readFile } = await import('node:fs/promises');
    const { loadKev } = await import('./modules/vuln/catalogue.service.js');
    const r = await loadKev({ db: rt.handle.db, clock: rt.clock }, null, file, await readFile(file));
    console.log(`KEV ${r.version}: ${r.entries} mục; ${r.findingsUpdated} lỗ hổng được tính lại.`);
    await rt.handle.close();
  });
vuln
  .command('epss <file>')
  .description('Nạp điểm EPSS của FIRST (epss_scores-current.csv hoặc .csv.gz)')
  .action(async (file: string) => {
    const rt = runtime();
    const { loadEpss } = await import('./modules/vuln/catalogue.service.js');
    const r = await loadEpss({ db: rt.handle.db, clock: rt.clock }, null, file, { path: file });
    console.log(`EPSS ${r.version ?? ''}: ${r.entries} CVE; ${r.findingsUpdated} lỗ hổng được tính lại.`);
    await rt.handle.close();
  });
vuln
  .command('import <file>')
  .description('Nhập một báo cáo quét (tự nhận định dạng)')
  .requiredOption('--unit <code>', 'mã đơn vị')
  .option('--format <format>', 'định dạng nếu không tự nhận được')
  .action(async (file: string, opts: { unit: string; format?: string }) => {
    const rt = runtime();
    await migrateToLatest(rt.handle.db, rt.handle.dialect);
    const { stat } = await import('node:fs/promises');
    const { importScan } = await import('./modules/vuln/vuln-import.service.js');
    const r = await importScan({ db: rt.handle.db, clock: rt.clock }, null, {
      source: { path: file }, fileName: file, bytes: (await stat(file)).size, format: (opts.format ?? null) as never, unitId: await unitIdByCode(rt, opts.unit), origin: 'cli',
    });
    console.log(JSON.stringify(r));
    await rt.handle.close();
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
