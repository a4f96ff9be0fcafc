import type { PathPart } from '../json-stream.js';
import { blankFinding, cvesIn, cweNumbers, num, type ScanEvent, severityFromScore, severityFromWord, str } from '../types.js';

type Obj = Record<string, unknown>;

/** Materialise each run's `tool` (rules) and each result, plus the repository URI of the run. */
export function sarifSelect(p: readonly PathPart[]): boolean {
  return (p.length === 3 && p[0] === 'runs' && (p[2] === 'tool' || p[2] === 'versionControlProvenance' || p[2] === 'originalUriBaseIds')) || (p.length === 4 && p[0] === 'runs' && p[2] === 'results' && typeof p[3] === 'number');
}

const LEVEL: Record<string, 'high' | 'medium' | 'low' | 'info'> = { error: 'high', warning: 'medium', note: 'low', none: 'info' };

/**
 * SARIF 2.1.0 (OASIS; research §2.6): one finding per result. Plugin = ruleId (or the rule at ruleIndex);
 * severity from the rule's numeric `security-severity` (CVSS bands, the GitHub convention) when present, else
 * from `level` (result, then the rule's default, then "warning" as §3.27.10 says); location = file:line. SARIF
 * has no host: the run's repository URI (versionControlProvenance) or the tool name stands for it.
 */
export function sarifReader() {
  const rules = new Map<number, Map<string, Obj>>();
  const ruleList = new Map<number, Obj[]>();
  const tool = new Map<number, string>();
  const repo = new Map<number, string>();
  return (path: PathPart[], value: unknown, line: number): ScanEvent | null => {
    const run = path[1] as number;
    if (path[2] === 'tool') {
      const driver = ((value as Obj)?.driver ?? {}) as Obj;
      tool.set(run, str(driver.name) ?? 'sarif');
      const list = [...((driver.rules as Obj[]) ?? []), ...(((value as Obj)?.extensions as Obj[]) ?? []).flatMap((e) => (e.rules as Obj[]) ?? [])];
      ruleList.set(run, list);
      rules.set(run, new Map(list.map((r) => [String(r.id), r])));
      return null;
    }
    if (path[2] === 'versionControlProvenance') {
      const uri = str(((value as Obj[])?.[0] ?? {}).repositoryUri);
      if (uri) repo.set(run, uri);
      return null;
    }
    if (path[2] === 'originalUriBaseIds') return null;
    const r = (value ?? {}) as Obj;
    const ruleIndex = typeof r.ruleIndex === 'number' ? r.ruleIndex : typeof (r.rule as Obj)?.index === 'number' ? ((r.rule as Obj).index as number) : -1;
    const ruleId = str(r.ruleId) ?? str((r.rule as Obj)?.id) ?? str(ruleList.get(run)?.[ruleIndex]?.id) ?? 'sarif';
    const rule = rules.get(run)?.get(ruleId) ?? ruleList.get(run)?.[ruleIndex] ?? {};
    const props = (rule.properties ?? {}) as Obj;
    const secSev = num(props['security-severity']);
    const level = str(r.level) ?? str((rule.defaultConfiguration as Obj)?.level) ?? 'warning';
    const sev = severityFromScore(secSev) ?? LEVEL[level] ?? 'medium';
    const message = str((r.message as Obj)?.text) ?? str((r.message as Obj)?.markdown);
    const title = str((rule.shortDescription as Obj)?.text) ?? str(rule.name) ?? message?.split('\n')[0]?.slice(0, 200) ?? ruleId;
    const f = blankFinding(ruleId, title, sev, { image: repo.get(run) ?? tool.get(run) ?? 'sarif' });
    const loc = (((r.locations as Obj[]) ?? [])[0]?.physicalLocation ?? {}) as Obj;
    const file = str((loc.artifactLocation as Obj)?.uri);
    const startLine = num((loc.region as Obj)?.startLine);
    f.location = file ? `${file}${startLine ? `:${startLine}` : ''}` : str(JSON.stringify(r.fingerprints ?? r.partialFingerprints ?? null));
    f.cves = cvesIn(`${ruleId} ${str(rule.name) ?? ''}`);
    const tags = (props.tags as string[] | undefined) ?? [];
    f.cwes = cweNumbers([...tags.filter((t) => /cwe/i.test(t)).map((t) => t.replace(/^.*cwe-0*/i, '')), ...(props.cwe ? [props.cwe].flat() : [])].map(String));
    f.description = message;
    f.solution = str((rule.help as Obj)?.text);
    f.line = line;
    return { kind: 'finding', finding: f };
  };
}
