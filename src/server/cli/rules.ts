import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RuleImportResult } from '../../contracts/rules.js';
import { migrateToLatest } from '../db/migrator.js';
import { importRuleFiles, readSigmaCheckout, type RuleSource } from '../modules/rules/rules.service.js';
import type { Runtime } from '../runtime.js';

/** `khien rules import <dir>`: read a SigmaHQ checkout (or any folder of Sigma YAML) into the rule table. */
export async function runRulesImport(rt: Runtime, dir: string, source: RuleSource): Promise<RuleImportResult> {
  await migrateToLatest(rt.handle.db, rt.handle.dialect);
  const files = readSigmaCheckout(resolve(dir));
  return importRuleFiles({ db: rt.handle.db, clock: rt.clock }, null, files, source);
}

export function formatRulesImport(r: RuleImportResult): string {
  const byFeature = new Map<string, number>();
  for (const i of r.issues) byFeature.set(i.feature, (byFeature.get(i.feature) ?? 0) + 1);
  const lines = [
    `Tệp: ${r.files}; biên dịch được: ${r.compiled}; chưa hỗ trợ: ${r.unsupported}`,
    `Thêm mới: ${r.created}; cập nhật: ${r.updated}; không đổi: ${r.unchanged}`,
    ...[...byFeature].map(([f, n]) => `  ${f}: ${n}`),
    ...r.issues.slice(0, 50).map((i) => `  - ${i.path}${i.ruleId ? ` (${i.ruleId})` : ''}: ${i.feature} — ${i.message}`),
  ];
  if (r.issues.length > 50) lines.push(`  … và ${r.issues.length - 50} vấn đề khác (--json để xem hết)`);
  return lines.join('\n');
}

/**
 * Demo: add SigmaHQ's rules when the corpus is present (`KHIEN_CORPUS_DIR/sigma`); the demo works without it
 * (Khiên's own rules are loaded with the demo data). Returns null when there is no corpus.
 */
export async function loadDemoSigmaRules(rt: Runtime): Promise<RuleImportResult | null> {
  const dir = resolve(rt.config.corpusDir, 'sigma');
  if (!existsSync(resolve(dir, 'rules'))) return null;
  const files = readSigmaCheckout(dir);
  return importRuleFiles({ db: rt.handle.db, clock: rt.clock }, null, files, 'sigmahq');
}
