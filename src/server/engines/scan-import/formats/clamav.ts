import { blankFinding, type ScanEvent } from '../types.js';

const FOUND = /^(.*): (.+) FOUND$/;

/** "2026:07:31 18:41:55" (clamscan summary) → ISO-8601; the log has no zone, so it is read as UTC. */
function clamDate(s: string): string | null {
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}:\d{2}:\d{2})/.exec(s.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}Z` : null;
}

/**
 * ClamAV `clamscan` output / log (`-l`): every "path: Signature FOUND" line is a detection (a finding of
 * severity high, plugin = the signature, location = the path) and the "SCAN SUMMARY" block gives files
 * scanned, infected count and dates. The log names no host: the importer supplies it. Logs of several runs
 * (appended with `-l`) give one malware-scan event per summary block.
 */
export async function* clamavEvents(chunks: AsyncIterable<string>): AsyncGenerator<ScanEvent[]> {
  let carry = '';
  let line = 0;
  let detections: { path: string; signature: string }[] = [];
  let summary: Record<string, string> = {};
  let inSummary = false;
  let out: ScanEvent[] = [];
  const flush = () => {
    if (!inSummary && detections.length === 0) return;
    out.push({
      kind: 'malware',
      scan: {
        host: {},
        tool: 'clamav',
        scannedAt: clamDate(summary['End Date'] ?? summary['Start Date'] ?? ''),
        filesScanned: summary['Scanned files'] !== undefined ? Number(summary['Scanned files']) : null,
        infected: summary['Infected files'] !== undefined ? Number(summary['Infected files']) : new Set(detections.map((d) => d.path)).size,
        detections,
      },
    });
    detections = [];
    summary = {};
    inSummary = false;
  };
  const take = (raw: string) => {
    line++;
    const l = raw.replace(/\r$/, '');
    const m = FOUND.exec(l);
    if (m) {
      if (inSummary) flush();
      const path = m[1]!;
      const signature = m[2]!;
      detections.push({ path, signature });
      const f = blankFinding(signature, `Phát hiện mã độc: ${signature}`, 'high', {});
      f.location = path;
      f.evidence = l;
      f.line = line;
      out.push({ kind: 'finding', finding: f });
      return;
    }
    if (/-+ SCAN SUMMARY -+/.test(l)) {
      inSummary = true;
      return;
    }
    const kv = /^([A-Za-z ]+):\s+(.*)$/.exec(l);
    if (inSummary && kv) {
      summary[kv[1]!.trim()] = kv[2]!.trim();
      if (kv[1]!.trim() === 'End Date') flush();
    }
  };
  for await (const chunk of chunks) {
    const parts = (carry + chunk).split('\n');
    carry = parts.pop()!;
    parts.forEach(take);
    if (carry.length > 1 << 20) throw new Error('Dòng nhật ký ClamAV dài bất thường.');
    if (out.length) {
      yield out;
      out = [];
    }
  }
  if (carry) take(carry);
  flush();
  if (out.length) yield out;
}
