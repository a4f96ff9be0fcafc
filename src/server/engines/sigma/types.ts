import type { EventValue, KhienEvent } from '../../../contracts/events.js';

export type { EventValue, KhienEvent };

/** A rule that could not be (fully) loaded: the file, the rule and the exact unsupported feature. */
export interface SigmaLoadIssue {
  path: string;
  ruleId?: string;
  feature: string;
  message: string;
}

export interface Logsource {
  product?: string;
  category?: string;
  service?: string;
}

export interface RuleInfo {
  id: string;
  title: string;
  level: string;
  status: string;
  author: string;
  tags: string[];
  logsource: Logsource;
  description?: string;
  falsepositives?: string[];
  kind: 'detection' | 'correlation';
  /** Sigma `name` (correlations may reference a rule by it). */
  name?: string;
  /** Source file (as given to parseRules). */
  path?: string;
  /**
   * True when every correlation referencing this rule has `generate: false` (the Sigma v2.1 default): its
   * matches feed the correlation but should not raise alerts on their own.
   */
  correlationOnly?: boolean;
}

export interface RuleSet {
  rules: RuleInfo[];
  issues: SigmaLoadIssue[];
}

/** Correlation block of a Sigma v2.1 correlation rule (sigma-correlation-rules-specification.md). */
export type CorrelationType =
  | 'event_count'
  | 'value_count'
  | 'temporal'
  | 'temporal_ordered'
  | 'value_sum'
  | 'value_avg'
  | 'value_percentile';

export interface CorrelationCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  neq?: number;
  field?: string;
  /** value_percentile only: which percentile (0–100) of `field` is compared. */
  percentile?: number;
}

export interface CorrelationSpec {
  type: CorrelationType;
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  condition: CorrelationCondition;
  /** alias → (rule id or name → field of that rule's events) */
  aliases: Record<string, Record<string, string>>;
  generate: boolean;
}

export interface ParsedDetectionRule {
  info: RuleInfo;
  detection: Record<string, unknown>;
}

export interface ParsedCorrelationRule {
  info: RuleInfo;
  correlation: CorrelationSpec;
}

/** Result of parseRules: YAML documents validated into rules, plus everything that could not be loaded. */
export interface ParsedRules extends RuleSet {
  detections: ParsedDetectionRule[];
  correlations: ParsedCorrelationRule[];
}

/**
 * A false-positive filter on one rule. `fields` is the simple form (every field must equal one of the values,
 * case-insensitive, Sigma wildcards allowed); `detection` is a Sigma detection block (search identifiers plus
 * `condition`) — when it matches, the rule's match is dropped.
 */
export interface RuleFilter {
  id?: string;
  fields?: Record<string, string | number | (string | number)[]>;
  detection?: Record<string, unknown>;
}

export interface DetectorOptions {
  /** Which rules take part (default: all). */
  enabled?: (rule: RuleInfo) => boolean;
  /** False-positive filters by rule id. */
  filters?: Record<string, RuleFilter[]>;
  /** Values for `|expand` placeholders, e.g. { Administrators: ['admin*', 'quantri*'] }. */
  placeholders?: Record<string, string[]>;
  /**
   * false: test every rule of the event's logsource instead of only those whose literals the event contains.
   * Same results, slower; the conformance test compares both to prove the index never skips a match.
   */
  index?: boolean;
}

export interface RuleMatch {
  rule: RuleInfo;
  /** The event fields the rule refers to, for display. */
  matched?: Record<string, EventValue>;
}

export interface Detector {
  readonly rules: RuleInfo[];
  readonly issues: SigmaLoadIssue[];
  match(event: KhienEvent): RuleMatch[];
}

export interface CorrelationHit {
  rule: RuleInfo;
  groupKey: string;
  group: Record<string, EventValue>;
  eventIds: string[];
  firstSeen: string;
  lastSeen: string;
  value?: number;
}

export interface Correlator {
  /**
   * feed each event's matches in time order; returns correlation rules that fired. `accept` (scale-out) limits
   * the groups fed to those whose group key (the JSON array of group-by values) it accepts.
   */
  push(event: KhienEvent, matches: RuleMatch[], accept?: (groupKey: string) => boolean): CorrelationHit[];
  /** partition key of an event for scale-out: which group-by keys it touches (ingest routes by it) */
  partitionKeys(event: KhienEvent, matches: RuleMatch[]): string[];
  exportState(): unknown;
  importState(state: unknown): void;
}

/** Thrown while compiling one rule: names the unsupported feature. */
export class SigmaFeatureError extends Error {
  constructor(
    readonly feature: string,
    message: string,
  ) {
    super(message);
    this.name = 'SigmaFeatureError';
  }
}
