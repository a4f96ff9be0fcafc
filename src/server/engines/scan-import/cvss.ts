/**
 * CVSS vector parsing (FIRST CVSS v3.1 specification §6–§7; CVSS v4.0 specification §7). A vector is split into
 * its metrics and checked against the base metrics each version requires; v3.x base scores are computed with
 * the §7.1 formulas (v4.0 scores come from a MacroVector lookup table and are taken from the report as stated).
 */
export interface CvssVector {
  version: '3.0' | '3.1' | '4.0';
  metrics: Record<string, string>;
  /** v3 base score computed from the vector; null for v4. */
  baseScore: number | null;
}

const V3_BASE: Record<string, string[]> = {
  AV: ['N', 'A', 'L', 'P'], AC: ['L', 'H'], PR: ['N', 'L', 'H'], UI: ['N', 'R'], S: ['U', 'C'], C: ['H', 'L', 'N'], I: ['H', 'L', 'N'], A: ['H', 'L', 'N'],
};
const V4_BASE: Record<string, string[]> = {
  AV: ['N', 'A', 'L', 'P'], AC: ['L', 'H'], AT: ['N', 'P'], PR: ['N', 'L', 'H'], UI: ['N', 'P', 'A'], VC: ['H', 'L', 'N'], VI: ['H', 'L', 'N'], VA: ['H', 'L', 'N'],
  SC: ['H', 'L', 'N'], SI: ['H', 'L', 'N'], SA: ['H', 'L', 'N'],
};

/** Round up to one decimal as CVSS v3.1 Appendix A defines it (integer arithmetic avoids 4.000000001 → 4.1). */
function roundUp(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

function v3Score(m: Record<string, string>): number {
  const av = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 }[m.AV!]!;
  const ac = { L: 0.77, H: 0.44 }[m.AC!]!;
  const changed = m.S === 'C';
  const pr = { N: 0.85, L: changed ? 0.68 : 0.62, H: changed ? 0.5 : 0.27 }[m.PR!]!;
  const ui = { N: 0.85, R: 0.62 }[m.UI!]!;
  const cia = (x: string) => ({ H: 0.56, L: 0.22, N: 0 })[x]!;
  const iss = 1 - (1 - cia(m.C!)) * (1 - cia(m.I!)) * (1 - cia(m.A!));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  if (impact <= 0) return 0;
  const expl = 8.22 * av * ac * pr * ui;
  return changed ? roundUp(Math.min(1.08 * (impact + expl), 10)) : roundUp(Math.min(impact + expl, 10));
}

/** Parse a CVSS v3.0/v3.1/v4.0 vector; null when it is not a valid vector of those versions. */
export function parseCvss(vector: string | null | undefined): CvssVector | null {
  if (!vector) return null;
  const parts = vector.trim().split('/');
  const head = /^CVSS:(3\.0|3\.1|4\.0)$/.exec(parts[0] ?? '');
  if (!head) return null;
  const version = head[1] as CvssVector['version'];
  const metrics: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    const [k, v] = p.split(':');
    if (!k || !v || metrics[k] !== undefined) return null;
    metrics[k] = v;
  }
  const base = version === '4.0' ? V4_BASE : V3_BASE;
  for (const [k, allowed] of Object.entries(base)) if (!allowed.includes(metrics[k] ?? '')) return null;
  return { version, metrics, baseScore: version === '4.0' ? null : v3Score(metrics) };
}

/** Whether a vector says the weakness is reachable over the network (AV:N) — a priority raiser. */
export function networkReachable(v: CvssVector | null): boolean {
  return v?.metrics.AV === 'N';
}
