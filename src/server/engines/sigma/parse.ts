import { parseAllDocuments } from 'yaml';
import type {
  CorrelationCondition,
  CorrelationSpec,
  CorrelationType,
  Logsource,
  ParsedCorrelationRule,
  ParsedDetectionRule,
  ParsedRules,
  RuleInfo,
  SigmaLoadIssue,
} from './types.js';

const CORRELATION_TYPES: readonly CorrelationType[] = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
];

/** Bound on one rule file: SigmaHQ's largest rule is ~40 kB. */
const MAX_RULE_TEXT = 1_000_000;

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function strList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => str(x)).filter((x): x is string => x !== undefined);
  const s = str(v);
  return s === undefined ? [] : [s];
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `Ns|Nm|Nh|Nd` (spec §timespan; also accepts w and M=30d, y=365d leniently). */
export function parseTimespan(v: unknown): number | undefined {
  const s = str(v);
  if (!s) return undefined;
  const m = /^\s*(\d+)\s*([smhdwMy])\s*$/.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, M: 30 * 86400e3, y: 365 * 86400e3 }[m[2] as 's'];
  return n * unit;
}

function logsourceOf(v: unknown): Logsource {
  const ls: Logsource = {};
  if (!isMap(v)) return ls;
  const p = str(v.product);
  const c = str(v.category);
  const s = str(v.service);
  if (p) ls.product = p.toLowerCase();
  if (c) ls.category = c.toLowerCase();
  if (s) ls.service = s.toLowerCase();
  return ls;
}

function infoOf(doc: Record<string, unknown>, path: string, index: number, kind: RuleInfo['kind']): RuleInfo {
  const id = str(doc.id) ?? `${path}#${index}`;
  const info: RuleInfo = {
    id,
    title: str(doc.title) ?? id,
    level: (str(doc.level) ?? 'medium').toLowerCase(),
    status: (str(doc.status) ?? 'experimental').toLowerCase(),
    author: str(doc.author) ?? '',
    tags: strList(doc.tags),
    logsource: logsourceOf(doc.logsource),
    kind,
    path,
  };
  const description = str(doc.description);
  if (description !== undefined) info.description = description;
  const fp = strList(doc.falsepositives);
  if (fp.length) info.falsepositives = fp;
  const name = str(doc.name);
  if (name !== undefined) info.name = name;
  return info;
}

function parseCorrelation(block: Record<string, unknown>): CorrelationSpec | string {
  const type = str(block.type) as CorrelationType | undefined;
  if (!type || !CORRELATION_TYPES.includes(type)) return `correlation type ${String(block.type)}`;
  const rules = strList(block.rules);
  if (rules.length === 0) return 'correlation without rules';
  const groupBy = strList(block['group-by']);
  const timespanMs = parseTimespan(block.timespan ?? block.timeframe);
  if (timespanMs === undefined) return `correlation timespan ${String(block.timespan)}`;
  const condition: CorrelationCondition = {};
  const cond = block.condition;
  if (isMap(cond)) {
    for (const [k, v] of Object.entries(cond)) {
      if (k === 'field') condition.field = str(v);
      else if (['gt', 'gte', 'lt', 'lte', 'eq', 'neq', 'percentile'].includes(k)) {
        const n = Number(v);
        if (!Number.isFinite(n)) return `correlation condition ${k}: ${String(v)}`;
        (condition as Record<string, number>)[k] = n;
      } else return `correlation condition operator ${k}`;
    }
  } else if (cond !== undefined) return 'correlation condition must be a map';
  if (type !== 'temporal' && type !== 'temporal_ordered') {
    if (!['gt', 'gte', 'lt', 'lte', 'eq', 'neq'].some((k) => k in condition)) return `${type} needs a condition`;
  }
  if (type.startsWith('value_') && !condition.field) return `${type} needs condition.field`;
  const aliases: Record<string, Record<string, string>> = {};
  if (isMap(block.aliases)) {
    for (const [alias, m] of Object.entries(block.aliases)) {
      if (!isMap(m)) return `alias ${alias} must map rules to fields`;
      aliases[alias] = Object.fromEntries(Object.entries(m).map(([r, f]) => [r, str(f) ?? '']));
    }
  }
  return { type, rules, groupBy, timespanMs, condition, aliases, generate: block.generate === true };
}

/**
 * Parse Sigma YAML files (multi-document allowed) into detection and correlation rules. Nothing is thrown: a
 * document that is not a usable rule becomes an issue naming the file, the rule id and the feature.
 * Global filter documents (`filter:`) and `action: global` templates are reported as unsupported.
 */
export function parseRules(files: { path: string; text: string }[]): ParsedRules {
  const detections: ParsedDetectionRule[] = [];
  const correlations: ParsedCorrelationRule[] = [];
  const issues: SigmaLoadIssue[] = [];
  for (const file of files) {
    if (file.text.length > MAX_RULE_TEXT) {
      issues.push({ path: file.path, feature: 'size', message: `rule file larger than ${MAX_RULE_TEXT} bytes` });
      continue;
    }
    let docs;
    try {
      docs = parseAllDocuments(file.text, { uniqueKeys: false });
    } catch (e) {
      issues.push({ path: file.path, feature: 'yaml', message: (e as Error).message });
      continue;
    }
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((d, index) => {
      if (d.errors.length > 0) {
        issues.push({ path: file.path, feature: 'yaml', message: d.errors[0]!.message.split('\n')[0]! });
        return;
      }
      let raw: unknown;
      try {
        raw = d.toJS({ maxAliasCount: 100 });
      } catch (e) {
        issues.push({ path: file.path, feature: 'yaml', message: (e as Error).message });
        return;
      }
      if (raw === null || raw === undefined) return;
      if (!isMap(raw)) {
        issues.push({ path: file.path, feature: 'document', message: 'YAML document is not a map' });
        return;
      }
      const ruleId = str(raw.id);
      const issue = (feature: string, message: string) =>
        issues.push({ path: file.path, ...(ruleId ? { ruleId } : {}), feature, message });
      if (raw.action !== undefined) {
        issue('action', `multi-document action "${String(raw.action)}" (Sigma v1 collections) is not supported`);
        return;
      }
      if (isMap(raw.correlation)) {
        const spec = parseCorrelation(raw.correlation);
        if (typeof spec === 'string') {
          issue('correlation', spec);
          return;
        }
        correlations.push({ info: infoOf(raw, file.path, index, 'correlation'), correlation: spec });
        return;
      }
      if (isMap(raw.filter)) {
        issue('global-filter', 'Sigma global filter documents are applied through rule FP filters in Khiên');
        return;
      }
      if (!isMap(raw.detection)) {
        issue('detection', 'rule has no detection section');
        return;
      }
      if (raw.detection.condition === undefined) {
        issue('condition', 'detection has no condition');
        return;
      }
      detections.push({ info: infoOf(raw, file.path, index, 'detection'), detection: raw.detection });
    });
  }
  // Sigma v2.1: rules referenced by a correlation only generate their own matches with `generate: true`.
  const refs = new Map<string, boolean>();
  for (const c of correlations) {
    for (const r of c.correlation.rules) refs.set(r, (refs.get(r) ?? false) || c.correlation.generate);
  }
  for (const d of detections) {
    const gen = refs.get(d.info.id) ?? (d.info.name ? refs.get(d.info.name) : undefined);
    if (gen === false) d.info.correlationOnly = true;
  }
  for (const c of correlations) {
    const gen = refs.get(c.info.id) ?? (c.info.name ? refs.get(c.info.name) : undefined);
    if (gen === false) c.info.correlationOnly = true;
  }
  return {
    detections,
    correlations,
    issues,
    rules: [...detections.map((d) => d.info), ...correlations.map((c) => c.info)],
  };
}
