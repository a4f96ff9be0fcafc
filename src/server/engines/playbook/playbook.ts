import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { CASE_PHASES, PlaybookDocSchema, type CaseCategory, type CasePhase, type PlaybookDoc } from '../../../contracts/cases.js';

/**
 * SOP playbooks (pure). A playbook is a YAML document (data/playbooks/*.yaml, or edited by administrators)
 * validated against `PlaybookDocSchema`; its steps become case tasks with owners and due times. The format
 * follows TheHive case templates (tasks with group, order, dueDate, mandatory) and DFIR-IRIS templates,
 * research/soc.md §3.2–3.3, with the TT 20/2017 Điều 11 phases.
 */

export interface PlaybookProblem {
  path: string;
  line: number | null;
  message: string;
}

export type ParseResult = { ok: true; doc: PlaybookDoc; problems: [] } | { ok: false; problems: PlaybookProblem[] };

/** Largest playbook text accepted: bounds parse work for hostile input. */
export const MAX_PLAYBOOK_BYTES = 200_000;

function nodeAt(root: unknown, path: (string | number)[]): Node | null {
  let cur: unknown = root;
  for (const seg of path) {
    if (isMap(cur)) cur = cur.get(seg, true);
    else if (isSeq(cur)) cur = cur.get(Number(seg), true);
    else return (cur as Node) ?? null;
  }
  return (cur as Node) ?? null;
}

/**
 * Parse and validate a playbook. Every problem is reported with its path and line (YAML syntax, schema,
 * duplicate step keys); aliases are limited so an alias bomb cannot expand.
 */
export function parsePlaybook(text: string): ParseResult {
  if (Buffer.byteLength(text, 'utf8') > MAX_PLAYBOOK_BYTES) return { ok: false, problems: [{ path: '', line: null, message: `Tệp quá lớn (tối đa ${MAX_PLAYBOOK_BYTES} byte).` }] };
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const lineOf = (n: Node | null) => (n?.range ? lc.linePos(n.range[0]).line : null);
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => ({ path: '', line: lc.linePos(e.pos[0]).line, message: e.message.split('\n')[0]! })) };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 20 });
  } catch (err) {
    return { ok: false, problems: [{ path: '', line: null, message: (err as Error).message }] };
  }
  const parsed = PlaybookDocSchema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => ({ path: i.path.join('.'), line: lineOf(nodeAt(doc.contents, i.path as (string | number)[])), message: i.message })),
    };
  }
  const problems: PlaybookProblem[] = [];
  const seen = new Set<string>();
  const phasesSeen = new Set<string>();
  parsed.data.phases.forEach((ph, pi) => {
    if (phasesSeen.has(ph.phase)) problems.push({ path: `phases.${pi}.phase`, line: lineOf(nodeAt(doc.contents, ['phases', pi, 'phase'])), message: `Giai đoạn "${ph.phase}" lặp lại.` });
    phasesSeen.add(ph.phase);
    ph.steps.forEach((s, si) => {
      if (seen.has(s.key)) problems.push({ path: `phases.${pi}.steps.${si}.key`, line: lineOf(nodeAt(doc.contents, ['phases', pi, 'steps', si, 'key'])), message: `Khoá bước "${s.key}" lặp lại.` });
      seen.add(s.key);
    });
  });
  const order = parsed.data.phases.map((p) => CASE_PHASES.indexOf(p.phase));
  if (order.some((v, i) => i > 0 && v < order[i - 1]!)) problems.push({ path: 'phases', line: lineOf(nodeAt(doc.contents, ['phases'])), message: 'Các giai đoạn phải theo thứ tự: triage → containment → eradication → recovery → post_incident.' });
  if (problems.length) return { ok: false, problems };
  return { ok: true, doc: parsed.data, problems: [] };
}

export interface PlaybookCandidate {
  key: string;
  categories: CaseCategory[];
  alertRules: string[];
}

/**
 * The playbooks to attach automatically: those naming one of the case's alert rules (case-insensitive) win;
 * otherwise those listing the case's category. A case gets at most one playbook per key.
 */
export function choosePlaybooks<T extends PlaybookCandidate>(playbooks: T[], facts: { category: CaseCategory; alertRules: string[] }): T[] {
  const rules = new Set(facts.alertRules.map((r) => r.toLowerCase()));
  const byRule = playbooks.filter((p) => p.alertRules.some((r) => rules.has(r.toLowerCase())));
  if (byRule.length) return byRule;
  return playbooks.filter((p) => p.categories.includes(facts.category));
}

export interface GeneratedTask {
  stepKey: string;
  phase: Exclude<CasePhase, 'closed'>;
  title: string;
  who: 'unit' | 'operator' | 'police' | 'soc';
  evidence: string[];
  decision: string | null;
  mandatory: boolean;
  dueAt: string;
  order: number;
}

/** The tasks a playbook's steps become, in phase then step order, each due `dueHours` after `attachedAt`. */
export function tasksFromPlaybook(doc: PlaybookDoc, attachedAt: string, firstOrder = 0): GeneratedTask[] {
  const start = Date.parse(attachedAt);
  let order = firstOrder;
  return doc.phases.flatMap((ph) =>
    ph.steps.map((s) => ({
      stepKey: s.key,
      phase: ph.phase,
      title: s.title,
      who: s.who,
      evidence: s.evidence,
      decision: s.decision ?? null,
      mandatory: s.mandatory,
      dueAt: new Date(start + Math.round(s.dueHours * 3_600_000)).toISOString(),
      order: order++,
    })),
  );
}

/** Open mandatory tasks block closing a case (the close guard). */
export function openMandatory<T extends { mandatory: boolean; status: string }>(tasks: T[]): T[] {
  return tasks.filter((t) => t.mandatory && t.status !== 'done'); // a mandatory step cannot be skipped
}
