import type { Insertable, Selectable } from 'kysely';

/** A Sigma rule as stored: the YAML whole, its metadata as columns for lists, enabled flag, FP filters, hits. */
export interface SigmaRulesTable {
  id: string;
  /** The Sigma `id` (UUID); unique. */
  rule_id: string;
  /** sigmahq | khien | custom */
  source: string;
  path: string;
  yaml: string;
  /** detection | correlation */
  kind: string;
  title: string;
  description: string | null;
  level: string;
  status: string;
  author: string;
  tags_json: string;
  falsepositives_json: string;
  logsource_product: string | null;
  logsource_category: string | null;
  logsource_service: string | null;
  supported: number;
  /** `feature: message` when the engine cannot compile the rule. */
  unsupported: string | null;
  enabled: number;
  /** StoredRuleFilter[] */
  filters_json: string;
  hit_count: number;
  last_hit_at: string | null;
  imported_at: string;
  updated_at: string;
}
export type SigmaRuleRow = Selectable<SigmaRulesTable>;
export type NewSigmaRuleRow = Insertable<SigmaRulesTable>;

export interface RuleTables {
  sigma_rules: SigmaRulesTable;
}
