import { z } from 'zod';
import { PageQuerySchema, pageOf } from './common.js';

/**
 * Detection rule management (issue 6, item 4): Sigma rules imported from a SigmaHQ checkout and Khiên's own
 * rules (data/sigma/khien/), enabled by logsource/level/status, tuned with false-positive filters, with hit
 * counts the SOC pipeline maintains. The Detection Rule License 1.1 requires each rule's author wherever a
 * match is shown, so every rule shape carries `author`.
 */

export const RULE_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export const RULE_STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;
export const RULE_SOURCES = ['sigmahq', 'khien', 'custom'] as const;

/** A false-positive filter: field = value exclusions (all must hold) or a Sigma detection block in YAML. */
export const RuleFilterSchema = z.object({
  id: z.string(),
  note: z.string().nullable(),
  fields: z.record(z.string(), z.union([z.string(), z.array(z.string())])).nullable(),
  detectionYaml: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});
export type RuleFilterView = z.infer<typeof RuleFilterSchema>;

export const RuleFilterInputSchema = z
  .object({
    note: z.string().trim().max(500).optional(),
    fields: z.record(z.string().trim().min(1).max(200), z.union([z.string().max(2000), z.array(z.string().max(2000)).min(1).max(100)])).optional(),
    detectionYaml: z.string().max(20_000).optional(),
  })
  .refine((v) => (v.fields && Object.keys(v.fields).length > 0) || (v.detectionYaml && v.detectionYaml.trim()), {
    message: 'Cần ít nhất một cặp trường = giá trị hoặc một khối detection Sigma.',
  });

export const RuleSchema = z.object({
  id: z.string(),
  ruleId: z.string(),
  source: z.enum(RULE_SOURCES),
  path: z.string(),
  kind: z.enum(['detection', 'correlation']),
  title: z.string(),
  description: z.string().nullable(),
  level: z.string(),
  status: z.string(),
  author: z.string(),
  tags: z.array(z.string()),
  product: z.string().nullable(),
  category: z.string().nullable(),
  service: z.string().nullable(),
  /** false when the engine cannot compile the rule; `unsupported` then names the feature. */
  supported: z.boolean(),
  unsupported: z.string().nullable(),
  enabled: z.boolean(),
  filterCount: z.number().int(),
  hitCount: z.number().int(),
  lastHitAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type RuleView = z.infer<typeof RuleSchema>;

export const RuleDetailSchema = RuleSchema.extend({
  yaml: z.string(),
  falsepositives: z.array(z.string()),
  filters: z.array(RuleFilterSchema),
});

const boolQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const RuleQuerySchema = PageQuerySchema.extend({
  q: z.string().trim().max(200).optional(),
  product: z.string().max(100).optional(),
  category: z.string().max(100).optional(),
  service: z.string().max(100).optional(),
  level: z.string().max(50).optional(),
  status: z.string().max(50).optional(),
  source: z.enum(RULE_SOURCES).optional(),
  enabled: boolQuery.optional(),
  supported: boolQuery.optional(),
  hit: boolQuery.optional(),
});
export type RuleQuery = z.infer<typeof RuleQuerySchema>;

export const RulePageSchema = pageOf(RuleSchema);

export const RuleFacetsSchema = z.object({
  total: z.number().int(),
  enabled: z.number().int(),
  unsupported: z.number().int(),
  products: z.array(z.object({ value: z.string(), count: z.number().int() })),
  categories: z.array(z.object({ value: z.string(), count: z.number().int() })),
  services: z.array(z.object({ value: z.string(), count: z.number().int() })),
  levels: z.array(z.object({ value: z.string(), count: z.number().int() })),
  statuses: z.array(z.object({ value: z.string(), count: z.number().int() })),
});

/** Enable or disable many rules: by ids, or every rule matching a filter (the page's current filter). */
export const RuleBulkEnableSchema = z
  .object({
    enabled: z.boolean(),
    ids: z.array(z.string().max(64)).max(5000).optional(),
    filter: RuleQuerySchema.omit({ page: true, pageSize: true }).partial().optional(),
  })
  .refine((v) => (v.ids && v.ids.length > 0) || v.filter, { message: 'Cần danh sách quy tắc hoặc bộ lọc.' });

export const RuleBulkResultSchema = z.object({ changed: z.number().int() });

export const RuleUpdateSchema = z.object({ enabled: z.boolean() });

export const RuleImportResultSchema = z.object({
  files: z.number().int(),
  compiled: z.number().int(),
  unsupported: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  issues: z.array(z.object({ path: z.string(), ruleId: z.string().nullable(), feature: z.string(), message: z.string() })),
});
export type RuleImportResult = z.infer<typeof RuleImportResultSchema>;
