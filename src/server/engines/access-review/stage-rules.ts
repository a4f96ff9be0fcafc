/**
 * Access review stage rules (pure). A review item at one stage has the responses of its reviewers; the stage
 * rule turns them into the stage outcome, as midPoint's certification "outcome strategies" do
 * (research/identity-audit.md §1.1, midPoint `docs/roles-policies/certification/determining-case-outcome.adoc`):
 *
 * - `one_deny_denies`: one revoke (or reduce) decides at once; otherwise accepted once every reviewer has
 *   responded (or the deadline passed) and at least one accepted — a "not decided" does not block it.
 * - `all_must_accept`: accepted only when every reviewer accepted; a revoke/reduce wins at once; an explicit
 *   "not decided" or silence at the deadline leaves the item not decided.
 * - `one_accept_accepts`: one accept decides at once; otherwise the most severe answer once all answered.
 * - `accepted_if_not_denied`: one revoke/reduce decides at once; at the deadline silence counts as accept.
 * - `first_decides`: the first decision (accept, revoke or reduce) made by any reviewer decides.
 *
 * "Not decided" answers are recorded (with their comment) but never decide anything, as in midPoint.
 */
export const STAGE_RULES = ['one_deny_denies', 'all_must_accept', 'one_accept_accepts', 'accepted_if_not_denied', 'first_decides'] as const;
export type StageRule = (typeof STAGE_RULES)[number];
export const DECISIONS = ['accept', 'revoke', 'reduce', 'not_decided'] as const;
export type Decision = (typeof DECISIONS)[number];
/** A stage outcome: a decision, or `not_decided` (stage closed without one), or null (still open). */
export type Outcome = 'accept' | 'revoke' | 'reduce' | 'not_decided';

export interface Response {
  decision: Decision | null;
  /** ISO instant, for `first_decides`. */
  decidedAt: string | null;
}

/** revoke > reduce > accept: the most severe answer wins where answers disagree. */
function mostSevere(ds: Decision[]): Outcome {
  if (ds.includes('revoke')) return 'revoke';
  if (ds.includes('reduce')) return 'reduce';
  if (ds.includes('accept')) return 'accept';
  return 'not_decided';
}

/**
 * The outcome of one item at one stage. `closed` is true once the stage's deadline has passed (or the stage is
 * being closed): then every rule yields an outcome; before that, only a decisive set of answers does.
 */
export function stageOutcome(rule: StageRule, responses: Response[], closed: boolean): Outcome | null {
  const answered = responses.filter((r): r is Response & { decision: Exclude<Decision, 'not_decided'> } => r.decision !== null && r.decision !== 'not_decided');
  const decisions = answered.map((r) => r.decision);
  const allAnswered = responses.length > 0 && answered.length === responses.length;
  const responded = responses.length > 0 && responses.every((r) => r.decision !== null);
  switch (rule) {
    case 'one_deny_denies':
      // A deny decides at once; otherwise the accepts carry it once everybody answered (or at the deadline).
      if (decisions.includes('revoke')) return 'revoke';
      if (decisions.includes('reduce')) return 'reduce';
      if (responded || closed) return decisions.includes('accept') ? 'accept' : 'not_decided';
      return null;
    case 'all_must_accept':
      // Only an accept from every reviewer accepts; an explicit "not decided" or silence at the deadline does not.
      if (decisions.includes('revoke')) return 'revoke';
      if (decisions.includes('reduce')) return 'reduce';
      if (allAnswered) return 'accept';
      return responded || closed ? 'not_decided' : null;
    case 'one_accept_accepts':
      if (decisions.includes('accept')) return 'accept';
      if (allAnswered || closed) return mostSevere(decisions);
      return null;
    case 'accepted_if_not_denied':
      if (decisions.includes('revoke')) return 'revoke';
      if (decisions.includes('reduce')) return 'reduce';
      if (allAnswered || closed) return 'accept';
      return null;
    case 'first_decides': {
      const first = [...answered].sort((a, b) => (a.decidedAt ?? '').localeCompare(b.decidedAt ?? ''))[0];
      if (first) return first.decision;
      return closed ? 'not_decided' : null;
    }
  }
}
