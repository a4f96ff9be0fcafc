import { blankFinding, type ScanEvent, str } from '../types.js';

/**
 * Lynis `lynis-report.dat` (flat key=value, repeated keys end in `[]`; research §2.8). `warning[]` → medium,
 * `suggestion[]` → low (DefectDojo's mapping), plugin = the test id (e.g. SSH-7408). The host facts carry the
 * malware-scanner keys of CISOfy/lynis include/tests_malware (malware_scanner_installed, malware_scanner[]).
 * A report.dat is small (tens of KB); findings wait for the end so they carry the hostname whatever the order.
 */
export async function* lynisEvents(chunks: AsyncIterable<string>, maxChars: number): AsyncGenerator<ScanEvent[]> {
  const single = new Map<string, string>();
  const multi = new Map<string, string[]>();
  const items: { kind: 'warning' | 'suggestion'; value: string; line: number }[] = [];
  let carry = '';
  let line = 0;
  let size = 0;
  const take = (raw: string) => {
    line++;
    const l = raw.replace(/\r$/, '');
    if (!l || l.startsWith('#')) return;
    const i = l.indexOf('=');
    if (i <= 0) return;
    const key = l.slice(0, i);
    const value = l.slice(i + 1);
    if (key === 'warning[]' || key === 'suggestion[]') items.push({ kind: key === 'warning[]' ? 'warning' : 'suggestion', value, line });
    else if (key.endsWith('[]')) multi.set(key.slice(0, -2), [...(multi.get(key.slice(0, -2)) ?? []), value]);
    else single.set(key, value);
  };
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > maxChars) throw new Error(`Báo cáo Lynis lớn bất thường (> ${maxChars} ký tự).`);
    const parts = (carry + chunk).split('\n');
    carry = parts.pop()!;
    parts.forEach(take);
  }
  if (carry) take(carry);
  const hostname = single.get('hostname') ?? null;
  const ip = (multi.get('network_ipv4_address') ?? []).find((a) => !a.startsWith('127.')) ?? null;
  const host = { hostname, ip };
  const installed = single.get('malware_scanner_installed');
  const scannedAt = (single.get('report_datetime_end') ?? single.get('report_datetime_start'))?.replace(' ', 'T');
  const out: ScanEvent[] = [
    { kind: 'meta', scanner: 'lynis', scannerVersion: single.get('lynis_version') ?? null, startedAt: single.get('report_datetime_start')?.replace(' ', 'T') ?? null },
    {
      kind: 'host',
      host: {
        host,
        os: single.get('os_fullname') ?? single.get('os_name') ?? null,
        malwareScannerInstalled: installed === undefined ? null : installed === '1',
        malwareScanners: [...new Set(multi.get('malware_scanner') ?? [])],
        hardeningIndex: single.has('hardening_index') ? Number(single.get('hardening_index')) : null,
        scannedAt: scannedAt ?? null,
      },
    },
  ];
  for (const it of items) {
    const [id, text, details, solution] = it.value.split('|');
    const dash = (s: string | undefined) => (s && s !== '-' ? s : null);
    const f = blankFinding(id ?? 'LYNIS', str(text) ?? id ?? 'Lynis', it.kind === 'warning' ? 'medium' : 'low', host);
    f.description = dash(text);
    f.evidence = dash(details);
    f.solution = dash(solution);
    f.location = dash(details);
    f.line = it.line;
    out.push({ kind: 'finding', finding: f });
  }
  yield out;
}
