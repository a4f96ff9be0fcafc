import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childProcessEnv } from '../core/config.js';
import type { Db } from '../db/database.js';
import { type ImportResult, importScan } from '../modules/vuln/vuln-import.service.js';

/**
 * `khien scan nmap|lynis`: run the Debian scanners on this machine and import their reports like an upload
 * (origin `cli`, one transaction, audited). Nmap may scan loopback only (127.0.0.0/8, ::1) unless the operator
 * lists more ranges in KHIEN_SCAN_ALLOWED_RANGES: scanning someone else's network is an offence
 * (Luật An ninh mạng 2018 Đ8), so the default refuses everything but this machine.
 */

export class ScanRefused extends Error {}

/** Targets must be IP literals or CIDR ranges inside the allowed ranges (no host names: DNS could point anywhere). */
export function assertTargetsAllowed(targets: string[], extraRanges: string[] = []): string[] {
  if (targets.length === 0) throw new ScanRefused('Cần ít nhất một mục tiêu (địa chỉ IP hoặc dải CIDR).');
  const allow = new BlockList();
  allow.addSubnet('127.0.0.0', 8, 'ipv4');
  allow.addAddress('::1', 'ipv6');
  for (const r of extraRanges) {
    const [net, bits] = r.split('/');
    const v = isIP(net ?? '');
    if (!v) throw new ScanRefused(`Dải cho phép không hợp lệ trong KHIEN_SCAN_ALLOWED_RANGES: ${r}`);
    allow.addSubnet(net!, Number(bits ?? (v === 4 ? 32 : 128)), v === 4 ? 'ipv4' : 'ipv6');
  }
  return targets.map((t) => {
    const target = t === 'localhost' ? '127.0.0.1' : t.trim();
    const [net, bitsText] = target.split('/');
    const v = isIP(net ?? '');
    if (!v) throw new ScanRefused(`Mục tiêu "${t}" phải là địa chỉ IP hoặc dải CIDR (không nhận tên máy).`);
    const type = v === 4 ? 'ipv4' : 'ipv6';
    const bits = bitsText === undefined ? (v === 4 ? 32 : 128) : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > (v === 4 ? 32 : 128)) throw new ScanRefused(`Dải "${t}" không hợp lệ.`);
    // A range is allowed when its first and last addresses are (the allow-list is a union of subnets; checking
    // both ends of a CIDR is exact when the allowed ranges are themselves CIDRs that contain it).
    const inside = bitsText === undefined ? allow.check(net!, type) : allow.check(net!, type) && allow.check(lastOf(net!, bits, v), type);
    if (!inside) throw new ScanRefused(`Không được quét "${t}": chỉ cho phép 127.0.0.0/8, ::1${extraRanges.length ? ` và ${extraRanges.join(', ')}` : ''}.`);
    return target;
  });
}

function lastOf(net: string, bits: number, v: number): string {
  if (v === 4) {
    const n = net.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
    const last = (n | (bits === 32 ? 0 : 0xffffffff >>> bits)) >>> 0;
    return [24, 16, 8, 0].map((s) => (last >>> s) & 255).join('.');
  }
  return net; // IPv6 ranges other than single addresses: checked by their first address
}

/** Run a command without a shell, its stdout into a file (bounded), stderr kept for the message. */
function runTo(cmd: string, args: string[], outFile: string | null, maxBytes = 512 * 1024 * 1024): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', outFile ? 'pipe' : 'ignore', 'pipe'], env: childProcessEnv({ LANG: 'C' }) });
    let stderr = '';
    let written = 0;
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString();
    });
    if (outFile) {
      const out = createWriteStream(outFile, { mode: 0o600 });
      child.stdout!.on('data', (d: Buffer) => {
        written += d.length;
        if (written > maxBytes) child.kill('SIGTERM');
      });
      child.stdout!.pipe(out);
    }
    child.on('error', (e) => reject(new ScanRefused(`Không chạy được ${cmd}: ${e.message}`)));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

export interface ScanDeps {
  db: Db;
  clock: () => number;
}

/** Run `nmap -oX -` (TCP connect scan, service versions) on allowed targets and import the XML. */
export async function scanNmap(deps: ScanDeps, opts: { targets: string[]; unitId: string; ports?: string; allowedRanges?: string[]; nmapPath?: string }): Promise<ImportResult> {
  const targets = assertTargetsAllowed(opts.targets, opts.allowedRanges);
  if (opts.ports && !/^[\d,-]{1,200}$/.test(opts.ports)) throw new ScanRefused('Danh sách cổng chỉ gồm số, dấu phẩy và gạch nối.');
  const dir = await mkdtemp(join(tmpdir(), 'khien-nmap-'));
  try {
    const file = join(dir, 'nmap.xml');
    const args = ['-oX', '-', '-sT', '-Pn', '-sV', '--version-light', '-T4', ...(opts.ports ? ['-p', opts.ports] : ['--top-ports', '1000']), '--', ...targets];
    const r = await runTo(opts.nmapPath ?? 'nmap', args, file);
    if (r.code !== 0) throw new ScanRefused(`nmap kết thúc với mã ${r.code}: ${r.stderr.trim()}`);
    const bytes = (await stat(file)).size;
    return await importScan(deps, null, { source: { path: file }, fileName: `nmap ${targets.join(' ')}`, bytes, format: 'nmap', unitId: opts.unitId, origin: 'cli' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Run Lynis on this machine non-interactively (`audit system --quick`, report and log in a temporary directory)
 * and import its report.dat. `tests` limits the run to some test ids (e.g. MALW-3280) and `groups` to the test
 * groups that hold them (`--tests-from-group`: Lynis still registers every test of the groups it loads, and with
 * all groups loaded that alone takes minutes); `plugins: false` skips the profile's plugins (`--no-plugins`; the
 * Debian plugin runs its own scan of every binary). `reportFile`: where to write report.dat, kept for the caller.
 */
export async function scanLynis(deps: ScanDeps, opts: { unitId: string; tests?: string[]; groups?: string[]; plugins?: boolean; reportFile?: string; lynisPath?: string }): Promise<ImportResult> {
  const dir = await mkdtemp(join(tmpdir(), 'khien-lynis-'));
  try {
    const report = opts.reportFile ?? join(dir, 'report.dat');
    const args = [
      'audit', 'system', '--quick', '--no-colors', '--report-file', report, '--logfile', join(dir, 'lynis.log'),
      ...(opts.tests?.length ? ['--tests', opts.tests.join(' ')] : []),
      ...(opts.groups?.length ? ['--tests-from-group', opts.groups.join(' ')] : []),
      ...(opts.plugins === false ? ['--no-plugins'] : []),
    ];
    const r = await runTo(opts.lynisPath ?? 'lynis', args, null);
    if (r.code !== 0) throw new ScanRefused(`lynis kết thúc với mã ${r.code}: ${r.stderr.trim()}`);
    const bytes = (await stat(report)).size;
    return await importScan(deps, null, { source: { path: report }, fileName: 'lynis-report.dat', bytes, format: 'lynis', unitId: opts.unitId, origin: 'cli' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
