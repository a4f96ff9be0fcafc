import type { PathPart } from '../json-stream.js';
import { blankFinding, cvesIn, cweNumbers, num, type ScanEvent, severityFromWord, str } from '../types.js';

type Obj = Record<string, unknown>;
const LISTS = new Set(['Vulnerabilities', 'Misconfigurations', 'Secrets']);

/**
 * Which values of a Trivy report to materialise: each vulnerability/misconfiguration/secret of a Result (schema
 * v2 `Results[*]`, legacy top-level array, Kubernetes `Vulnerabilities[*].Results[*]`), and the small scalars
 * that name the target. A Result's Target precedes its lists in Trivy's output, which this relies on.
 */
export function trivySelect(p: readonly PathPart[]): boolean {
  const n = p.length;
  const last = p[n - 1];
  if (n === 1) return last === 'ArtifactName' || last === 'ClusterName';
  if (typeof last === 'number' && LISTS.has(p[n - 2] as string)) {
    // An item of a list that sits in a Result: Results[i].X[j] or legacy [i].X[j].
    return (n >= 4 && p[n - 4] === 'Results') || n === 3;
  }
  if (last === 'Target' || last === 'Class' || last === 'Type') return (n >= 3 && p[n - 3] === 'Results') || n === 2;
  if (last === 'Namespace' || last === 'Kind' || last === 'Name') return n === 3 && LISTS.has(p[0] as string);
  return false;
}

/** Image name from a Result target such as "gcr.io/x/y:v2 (debian 10.4)". */
const imageOf = (target: string) => target.replace(/\s*\([^)]*\)\s*$/, '').trim();

/**
 * Trivy JSON (research §2.4): one finding per vulnerability (plugin = VulnerabilityID, location = package @
 * installed version, severity as stated), misconfiguration (ID) and secret (RuleID). The host is the image:
 * ArtifactName, else the OS-package target's image, else the Kubernetes resource.
 */
export function trivyReader() {
  let artifact: string | null = null;
  const target = new Map<string, string>();
  const resource = new Map<string, Obj>();
  return (path: PathPart[], value: unknown, line: number): ScanEvent | null => {
    const last = path[path.length - 1];
    if (typeof last !== 'number') {
      if (path.length === 1 && last === 'ArtifactName') artifact = str(value);
      else if (last === 'Target') target.set(JSON.stringify(path.slice(0, -1)), String(value));
      else if (last === 'Namespace' || last === 'Kind' || last === 'Name') {
        const key = JSON.stringify(path.slice(0, 2));
        resource.set(key, { ...(resource.get(key) ?? {}), [last]: value });
      }
      return null;
    }
    const v = (value ?? {}) as Obj;
    const list = path[path.length - 2] as string;
    const resultTarget = target.get(JSON.stringify(path.slice(0, -2))) ?? '';
    const res = path.length >= 4 ? resource.get(JSON.stringify(path.slice(0, 2))) : undefined;
    const image = artifact ?? (res ? [res.Namespace, res.Kind, res.Name].filter(Boolean).join('/') : null) ?? (imageOf(resultTarget) || null);
    if (list === 'Vulnerabilities') {
      const id = str(v.VulnerabilityID);
      if (!id) return null; // a package entry without a vulnerability id is not a finding
      const pkg = str(v.PkgName) ?? '';
      const f = blankFinding(id, str(v.Title) ?? `${id} ${pkg}`.trim(), severityFromWord(str(v.Severity)) ?? 'info', { image });
      f.cves = id.toUpperCase().startsWith('CVE-') ? [id.toUpperCase()] : cvesIn(JSON.stringify(v.VendorIDs ?? ''));
      f.cwes = cweNumbers(v.CweIDs ?? []);
      const cvss = (v.CVSS ?? {}) as Record<string, Obj>;
      const src = cvss[str(v.SeveritySource) ?? ''] ?? cvss.nvd ?? Object.values(cvss)[0];
      if (src) {
        f.cvssV3Vector = str(src.V3Vector);
        f.cvssV3Score = num(src.V3Score);
        f.cvssV4Vector = str(src.V40Vector);
        f.cvssV4Score = num(src.V40Score);
      }
      f.description = str(v.Description);
      f.solution = str(v.FixedVersion) ? `Nâng cấp ${pkg} lên ${str(v.FixedVersion)}` : null;
      f.location = `${resultTarget}|${pkg}@${str(v.InstalledVersion) ?? ''}`;
      f.evidence = str(v.PrimaryURL);
      f.line = line;
      return { kind: 'finding', finding: f };
    }
    if (list === 'Misconfigurations') {
      const id = str(v.ID) ?? str(v.AVDID);
      if (!id) return null;
      const f = blankFinding(id, str(v.Title) ?? id, severityFromWord(str(v.Severity)) ?? 'info', { image });
      f.description = [str(v.Description), str(v.Message)].filter(Boolean).join('\n\n') || null;
      f.solution = str(v.Resolution);
      f.location = resultTarget;
      f.line = line;
      return { kind: 'finding', finding: f };
    }
    const rule = str(v.RuleID);
    if (!rule) return null;
    const f = blankFinding(rule, str(v.Title) ?? rule, severityFromWord(str(v.Severity)) ?? 'high', { image });
    f.location = `${resultTarget}:${str(v.StartLine) ?? ''}`;
    f.evidence = str(v.Match);
    f.line = line;
    return { kind: 'finding', finding: f };
  };
}
