import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../../../contracts/common.js';
import {
  AssignHostInputSchema, AssignHostResultSchema, CatalogueLoadResultSchema, CoverageQuerySchema, CoverageSchema, FalsePositiveInputSchema, FindingDetailSchema, FindingPageSchema,
  FindingQuerySchema, ImportResultSchema, ReopenInputSchema, RiskAcceptanceInputSchema, ScanFormatSchema, UnmatchedHostListSchema, VulnDashboardQuerySchema, VulnDashboardSchema,
  VulnImportListSchema,
} from '../../../contracts/vuln.js';
import type { AppDeps } from '../../core/context.js';
import { AppError, ValidationError } from '../../core/errors.js';
import { actorOf } from '../../core/http.js';
import { loadEpss, loadKev } from './catalogue.service.js';
import { exportFindings, malwareCoverage, vulnDashboard } from './dashboard.service.js';
import { importScan } from './vuln-import.service.js';
import { acceptRisk, assignHost, getFinding, listImports, listUnmatched, markFalsePositive, reopenFinding, searchFindings, startVulnJobs } from './vuln.service.js';
// Registers this module's alert source with the cases module (and, for access-log, the SOC status link).
import './case-source.js';

/**
 * Largest scan report accepted by upload (spooled to a temporary file, never held in memory). Reports are
 * streamed by the engine; 1 GiB covers a province-wide Nessus export. Decompressed size is bounded separately
 * by the engine (DEFAULT_SCAN_LIMITS).
 */
export const MAX_SCAN_UPLOAD_BYTES = 1024 * 1024 * 1024;
const IdParams = z.object({ id: z.string().max(64) });
const tags = ['vuln'];

/** Spool the single file part to a temp file with the size bound; the caller removes the directory. */
async function spoolUpload(req: FastifyRequest, maxBytes: number): Promise<{ path: string; dir: string; fileName: string; bytes: number }> {
  if (!req.isMultipart()) throw new ValidationError('import.no_file', 'Cần gửi tệp báo cáo quét (multipart/form-data).');
  const part = await req.file({ limits: { fileSize: maxBytes } });
  if (!part) throw new ValidationError('import.no_file', 'Cần gửi tệp báo cáo quét (multipart/form-data).');
  const fileName = (part.filename || 'bao-cao-quet').replace(/[\\/\r\n]/g, '_').slice(0, 200);
  const dir = await mkdtemp(join(tmpdir(), 'khien-scan-'));
  const path = join(dir, 'report');
  await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
  if (part.file.truncated) {
    await rm(dir, { recursive: true, force: true });
    throw new AppError('import.too_large', 413, `Tệp ${fileName} vượt quá giới hạn ${Math.round(maxBytes / 1024 / 1024)} MB.`, { details: { file: fileName, maxBytes } });
  }
  return { path, dir, fileName, bytes: (await stat(path)).size };
}

const ImportQuerySchema = z.object({ unitId: z.string().max(64), format: ScanFormatSchema.optional(), targetAssetId: z.string().max(64).optional() });

/** Vulnerability and malware-scan management: imports, findings, decisions, dashboards, coverage, catalogues. */
export async function registerVuln(root: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const stop = startVulnJobs(deps);
  root.addHook('onClose', async () => stop());

  app.post('/vuln/imports', {
    config: { auth: 'user' },
    bodyLimit: MAX_SCAN_UPLOAD_BYTES + 1024 * 1024,
    schema: {
      operationId: 'importScanReport',
      tags,
      consumes: ['multipart/form-data'],
      description: 'Nhập một báo cáo quét (Nessus, OpenVAS, Nmap, Trivy, Nuclei, SARIF, ZAP, Lynis, OpenSCAP, ClamAV, Wazuh; có thể nén gzip). Một giao dịch: tệp lỗi hoặc độc hại bị từ chối (422, kèm dòng và lý do) và không ghi gì.',
      querystring: ImportQuerySchema,
      response: { 200: ImportResultSchema, ...errorResponses },
    },
  }, async (req) => {
    const up = await spoolUpload(req, MAX_SCAN_UPLOAD_BYTES);
    try {
      return await importScan(deps, actorOf(req), { source: { path: up.path }, fileName: up.fileName, bytes: up.bytes, format: req.query.format ?? null, unitId: req.query.unitId, targetAssetId: req.query.targetAssetId ?? null, origin: 'upload' });
    } finally {
      await rm(up.dir, { recursive: true, force: true });
    }
  });

  app.get('/vuln/imports', {
    config: { auth: 'user' },
    schema: { operationId: 'listScanImports', tags, response: { 200: VulnImportListSchema, ...errorResponses } },
  }, async (req) => listImports(deps, actorOf(req)));

  app.get('/vuln/findings', {
    config: { auth: 'user' },
    schema: { operationId: 'listFindings', tags, querystring: FindingQuerySchema, response: { 200: FindingPageSchema, ...errorResponses } },
  }, async (req) => searchFindings(deps, actorOf(req), req.query));

  app.get('/vuln/findings/export', {
    config: { auth: 'user' },
    schema: {
      operationId: 'exportFindings', tags, querystring: FindingQuerySchema, produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      response: { 200: z.unknown().describe('Tệp XLSX'), ...errorResponses },
    },
  }, async (req, reply) => {
    const out = await exportFindings(deps, actorOf(req), req.query);
    return reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="${out.fileName}"`).send(out.body);
  });

  app.get('/vuln/findings/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'getFinding', tags, params: IdParams, response: { 200: FindingDetailSchema, ...errorResponses } },
  }, async (req) => getFinding(deps, actorOf(req), req.params.id));

  app.post('/vuln/findings/:id/risk-acceptance', {
    config: { auth: 'user' },
    schema: {
      operationId: 'acceptFindingRisk', tags, params: IdParams, body: RiskAcceptanceInputSchema,
      description: 'Chấp nhận rủi ro: người phê duyệt, lý do (≥ 20 ký tự), ngày hết hạn; hết hạn thì lỗ hổng mở lại.',
      response: { 200: FindingDetailSchema, ...errorResponses },
    },
  }, async (req) => acceptRisk(deps, actorOf(req), req.params.id, req.body));

  app.post('/vuln/findings/:id/false-positive', {
    config: { auth: 'user' },
    schema: { operationId: 'markFindingFalsePositive', tags, params: IdParams, body: FalsePositiveInputSchema, response: { 200: FindingDetailSchema, ...errorResponses } },
  }, async (req) => markFalsePositive(deps, actorOf(req), req.params.id, req.body));

  app.post('/vuln/findings/:id/reopen', {
    config: { auth: 'user' },
    schema: { operationId: 'reopenFinding', tags, params: IdParams, body: ReopenInputSchema, response: { 200: FindingDetailSchema, ...errorResponses } },
  }, async (req) => reopenFinding(deps, actorOf(req), req.params.id, req.body));

  app.get('/vuln/unmatched-hosts', {
    config: { auth: 'user' },
    schema: { operationId: 'listUnmatchedHosts', tags, response: { 200: UnmatchedHostListSchema, ...errorResponses } },
  }, async (req) => listUnmatched(deps, actorOf(req)));

  app.post('/vuln/unmatched-hosts/assign', {
    config: { auth: 'user' },
    schema: { operationId: 'assignUnmatchedHost', tags, body: AssignHostInputSchema, response: { 200: AssignHostResultSchema, ...errorResponses } },
  }, async (req) => assignHost(deps, actorOf(req), req.body));

  app.get('/vuln/dashboard', {
    config: { auth: 'user' },
    schema: { operationId: 'vulnDashboard', tags, querystring: VulnDashboardQuerySchema, response: { 200: VulnDashboardSchema, ...errorResponses } },
  }, async (req) => vulnDashboard(deps, actorOf(req), req.query));

  app.get('/vuln/malware-coverage', {
    config: { auth: 'user' },
    schema: { operationId: 'malwareCoverage', tags, querystring: CoverageQuerySchema, response: { 200: CoverageSchema, ...errorResponses } },
  }, async (req) => malwareCoverage(deps, actorOf(req), req.query));

  app.post('/vuln/kev', {
    config: { auth: 'user' },
    schema: { operationId: 'loadKevCatalogue', tags, consumes: ['multipart/form-data'], description: 'Tệp known_exploited_vulnerabilities.json của CISA.', response: { 200: CatalogueLoadResultSchema, ...errorResponses } },
  }, async (req) => {
    const up = await spoolUpload(req, 50 * 1024 * 1024);
    try {
      const { readFile } = await import('node:fs/promises');
      return await loadKev(deps, actorOf(req), up.fileName, await readFile(up.path));
    } finally {
      await rm(up.dir, { recursive: true, force: true });
    }
  });

  app.post('/vuln/epss', {
    config: { auth: 'user' },
    schema: { operationId: 'loadEpssScores', tags, consumes: ['multipart/form-data'], description: 'Tệp epss_scores-current.csv(.gz) của FIRST.', response: { 200: CatalogueLoadResultSchema, ...errorResponses } },
  }, async (req) => {
    const up = await spoolUpload(req, 200 * 1024 * 1024);
    try {
      return await loadEpss(deps, actorOf(req), up.fileName, { path: up.path });
    } finally {
      await rm(up.dir, { recursive: true, force: true });
    }
  });
}
