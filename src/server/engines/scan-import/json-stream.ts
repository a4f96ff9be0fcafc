import { DEFAULT_SCAN_LIMITS, type ScanLimits, ScanImportError } from './types.js';

/** One level of the JSON path: an object key or an array index. */
export type PathPart = string | number;

/**
 * Decide which values to materialise: called when a value starts, with the path to it. Only selected values
 * are kept in memory (each bounded by `maxElementChars`); everything else is scanned and dropped.
 */
export type JsonSelector = (path: readonly PathPart[]) => boolean;

interface Frame {
  obj: boolean;
  key: string | null;
  idx: number;
  expectKey: boolean;
}

/**
 * A streaming JSON scanner (RFC 8259 tokens) that emits `(path, value)` for the values the selector picks —
 * e.g. every element of `Results[*].Vulnerabilities` — so a report of any size is read with memory bounded by
 * its largest selected element. Selected values are parsed with JSON.parse; the scanner itself validates
 * nesting and strings, and reports the line of a syntax error. Values nested inside a selected value are not
 * offered again.
 */
export async function* jsonValues(
  chunks: AsyncIterable<string>,
  select: JsonSelector,
  limits: ScanLimits = DEFAULT_SCAN_LIMITS,
): AsyncGenerator<{ path: PathPart[]; value: unknown; line: number }[]> {
  const stack: Frame[] = [];
  let line = 1;
  let inStr = false;
  let esc = false;
  let strIsKey = false;
  let keyBuf = '';
  let keyStart = -1;
  let inScalar = false;
  let capturing = false;
  let capDepth = 0;
  let capBuf = '';
  let capStart = 0;
  let capPath: PathPart[] = [];
  let capLine = 0;
  let sawValue = false;
  let out: { path: PathPart[]; value: unknown; line: number }[] = [];

  const pathNow = (): PathPart[] => stack.map((f) => (f.obj ? (f.key ?? '') : f.idx));
  const fail = (msg: string): never => {
    throw new ScanImportError('json_malformed', `JSON không hợp lệ: ${msg}`, line);
  };

  for await (const chunk of chunks) {
    if (capturing) capStart = 0;
    if (strIsKey && inStr) keyStart = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) line++;
      if (inStr) {
        if (esc) esc = false;
        else if (c === 92) esc = true;
        else if (c === 34) {
          inStr = false;
          if (strIsKey) {
            keyBuf += chunk.slice(keyStart, i + 1);
            const top = stack[stack.length - 1]!;
            try {
              top.key = JSON.parse(keyBuf) as string;
            } catch {
              fail('khóa không hợp lệ');
            }
            keyBuf = '';
            strIsKey = false;
          } else endValue(i + 1);
        } else if (c < 32 && c !== 9) fail('ký tự điều khiển trong chuỗi');
        continue;
      }
      if (inScalar) {
        if (c === 44 || c === 125 || c === 93 || c === 32 || c === 10 || c === 13 || c === 9) {
          inScalar = false;
          endValue(i);
        } else continue;
      }
      switch (c) {
        case 32: case 10: case 13: case 9:
          break;
        case 123: // {
          beginValue(i);
          stack.push({ obj: true, key: null, idx: 0, expectKey: true });
          break;
        case 91: // [
          beginValue(i);
          stack.push({ obj: false, key: null, idx: 0, expectKey: false });
          break;
        case 125: case 93: { // } ]
          const f = stack.pop();
          if (!f || f.obj !== (c === 125)) fail('ngoặc đóng không khớp');
          endValue(i + 1);
          break;
        }
        case 58: // :
          if (!stack[stack.length - 1]?.obj) fail('dấu ":" sai chỗ');
          stack[stack.length - 1]!.expectKey = false;
          break;
        case 44: { // ,
          const top = stack[stack.length - 1];
          if (!top) fail('dấu "," ngoài mảng/đối tượng');
          if (top!.obj) top!.expectKey = true;
          else top!.idx++;
          break;
        }
        case 34: { // "
          const top = stack[stack.length - 1];
          inStr = true;
          if (top?.obj && top.expectKey) {
            strIsKey = true;
            keyBuf = '';
            keyStart = i;
          } else beginValue(i);
          break;
        }
        default:
          if ((c >= 48 && c <= 57) || c === 45 || c === 116 || c === 102 || c === 110) {
            beginValue(i);
            inScalar = true;
          } else fail(`ký tự không mong đợi "${chunk[i]}"`);
      }
    }
    if (inStr && strIsKey) {
      keyBuf += chunk.slice(keyStart);
      if (keyBuf.length > 1 << 20) fail('khóa quá dài');
    }
    if (capturing) {
      capBuf += chunk.slice(capStart);
      if (capBuf.length > limits.maxElementChars) {
        throw new ScanImportError('element_too_large', `Một mục trong báo cáo vượt ${limits.maxElementChars} ký tự.`, capLine);
      }
    }
    if (out.length > 0) {
      yield out;
      out = [];
    }

    function beginValue(i: number): void {
      if (stack.length === 0) {
        if (sawValue) fail('nhiều giá trị ở gốc (dùng JSON Lines?)');
        sawValue = true;
      }
      if (capturing) return;
      const p = pathNow();
      if (select(p)) {
        capturing = true;
        capDepth = stack.length;
        capBuf = '';
        capStart = i;
        capPath = p;
        capLine = line;
      }
    }
    function endValue(end: number): void {
      if (!capturing || stack.length !== capDepth) return;
      capBuf += chunk.slice(capStart, end);
      capturing = false;
      if (capBuf.length > limits.maxElementChars) {
        throw new ScanImportError('element_too_large', `Một mục trong báo cáo vượt ${limits.maxElementChars} ký tự.`, capLine);
      }
      let value: unknown;
      try {
        value = JSON.parse(capBuf);
      } catch (err) {
        throw new ScanImportError('json_malformed', `JSON không hợp lệ: ${(err as Error).message}`, capLine);
      }
      capBuf = '';
      out.push({ path: capPath, value, line: capLine });
    }
  }
  if (inScalar && capturing && stack.length === capDepth) {
    // A bare scalar at the end of input.
    capturing = false;
    out.push({ path: capPath, value: JSON.parse(capBuf), line: capLine });
  }
  if (inStr || stack.length > 0) fail('tệp kết thúc giữa chừng');
  if (out.length > 0) yield out;
}

/** JSON Lines (NDJSON): one value per line, each parsed alone; blank lines are skipped. */
export async function* jsonLines(chunks: AsyncIterable<string>, limits: ScanLimits = DEFAULT_SCAN_LIMITS): AsyncGenerator<{ value: unknown; line: number }[]> {
  let carry = '';
  let line = 0;
  for await (const chunk of chunks) {
    const text = carry + chunk;
    const parts = text.split('\n');
    carry = parts.pop()!;
    if (carry.length > limits.maxElementChars) throw new ScanImportError('element_too_large', `Một dòng vượt ${limits.maxElementChars} ký tự.`, line + 1);
    const out: { value: unknown; line: number }[] = [];
    for (const p of parts) {
      line++;
      const t = p.trim();
      if (!t) continue;
      try {
        out.push({ value: JSON.parse(t), line });
      } catch (err) {
        throw new ScanImportError('json_malformed', `JSON không hợp lệ: ${(err as Error).message}`, line);
      }
    }
    if (out.length) yield out;
  }
  line++;
  if (carry.trim()) {
    try {
      yield [{ value: JSON.parse(carry.trim()), line }];
    } catch (err) {
      throw new ScanImportError('json_malformed', `JSON không hợp lệ: ${(err as Error).message}`, line);
    }
  }
}
