import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KhienEvent } from '../../../contracts/events.js';
import type { Db } from '../../db/database.js';
import { buildRuleEngine, rulesFingerprint } from '../rules/rules.service.js';
import {
  compileDetector, type CorrelationHit, type Correlator, createCorrelator, type Detector, type DetectorOptions, type ParsedRules, parseRules, type RuleMatch,
} from '../../engines/sigma/index.js';

/**
 * The detection stage of the pipeline: the Sigma detector and correlator (engines/sigma, owned by the sigma
 * module) built from the enabled rules, rebuilt when the rules change. The correlator keeps its windows across
 * rebuilds only when the rule set is the same; a changed rule set starts fresh windows (documented).
 */
export interface RuleBundle {
  parsed: ParsedRules;
  options?: DetectorOptions;
  /** Already compiled (the rules module's buildRuleEngine: enabled flags and FP filters applied). */
  detector?: Detector;
}

export interface RuleProvider {
  /** A value that changes whenever the enabled rules or their filters change. */
  version(db: Db): Promise<string>;
  load(db: Db): Promise<RuleBundle>;
}

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Sigma YAML files under a directory (recursive). */
export function readRuleFiles(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) out.push({ path: relative(REPO_ROOT, p), text: readFileSync(p, 'utf8') });
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Khiên's own rules shipped in `data/sigma/khien/` (used when the rules table is empty or absent). */
export function fileRuleProvider(dir = join(REPO_ROOT, 'data/sigma/khien')): RuleProvider {
  return filesProvider(() => readRuleFiles(dir));
}

/** Rules given as files (YAML text). */
export function filesProvider(files: () => { path: string; text: string }[]): RuleProvider {
  let cached: RuleBundle | null = null;
  return {
    version: async () => 'files',
    load: async () => (cached ??= { parsed: parseRules(files()) }),
  };
}

/**
 * The rules module's table (enabled rules, FP filters; Khiên's own rules and imported SigmaHQ rules): rebuilt
 * when its fingerprint changes. An empty table (a database where no rule was ever imported) falls back to the
 * shipped Khiên rules in data/sigma/khien.
 */
export function databaseRuleProvider(): RuleProvider {
  const files = fileRuleProvider();
  const count = async (db: Db) => Number((await db.selectFrom('sigma_rules').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
  return {
    version: async (db) => ((await count(db)) === 0 ? 'files' : `db:${await rulesFingerprint(db)}`),
    load: async (db) => {
      if ((await count(db)) === 0) return files.load(db);
      const engine = await buildRuleEngine(db);
      return { parsed: engine.parsed, detector: engine.detector };
    },
  };
}

export class Detection {
  private detector: Detector | null = null;
  private correlator: Correlator | null = null;
  private version: string | null = null;
  private parsed: ParsedRules | null = null;
  private checkedAt = 0;
  /** Incremented at every rebuild (per-partition correlators of a worker follow it). */
  generation = 0;

  constructor(private provider: RuleProvider, private readonly recheckMs = 10_000) {}

  /** Use another rule provider (the sigma module's rule store; tests); rebuilt on the next refresh. */
  useProvider(provider: RuleProvider): void {
    this.provider = provider;
    this.detector = null;
    this.correlator = null;
    this.version = null;
  }

  /** Build on first use; re-check the rules' version at most every `recheckMs` and rebuild when it changed. */
  async refresh(db: Db, now = Date.now(), force = false): Promise<void> {
    if (!force && this.detector && now - this.checkedAt < this.recheckMs) return;
    this.checkedAt = now;
    const v = await this.provider.version(db);
    if (this.detector && v === this.version) return;
    const bundle = await this.provider.load(db);
    const detector = bundle.detector ?? compileDetector(bundle.parsed, bundle.options);
    const correlator = createCorrelator(bundle.parsed, detector);
    if (this.correlator && this.version !== null) {
      try {
        correlator.importState(this.correlator.exportState());
      } catch {
        // incompatible state after a rule change: windows start fresh
      }
    }
    this.detector = detector;
    this.correlator = correlator;
    this.parsed = bundle.parsed;
    this.version = v;
    this.generation++;
  }

  /** A fresh correlator over the current rules (a detect worker keeps one per partition it owns). */
  newCorrelator(): Correlator {
    if (!this.detector || !this.parsed) throw new Error('detection: rules not loaded yet');
    return createCorrelator(this.parsed, this.detector);
  }

  get ruleCount(): number {
    return this.detector?.rules.length ?? 0;
  }

  match(e: KhienEvent): RuleMatch[] {
    return this.detector ? this.detector.match(e) : [];
  }

  correlate(e: KhienEvent, matches: RuleMatch[]): CorrelationHit[] {
    return this.correlator ? this.correlator.push(e, matches) : [];
  }

  partitionKeys(e: KhienEvent, matches: RuleMatch[]): string[] {
    return this.correlator ? this.correlator.partitionKeys(e, matches) : [];
  }

  exportState(): unknown {
    return this.correlator?.exportState() ?? null;
  }

  importState(state: unknown): void {
    if (state && this.correlator) this.correlator.importState(state);
  }
}
