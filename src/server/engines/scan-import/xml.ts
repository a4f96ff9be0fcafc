import { SaxesParser } from 'saxes';
import { DEFAULT_SCAN_LIMITS, type ScanEvent, type ScanLimits, ScanImportError } from './types.js';

/** A collected XML subtree (one report item): local names, attributes, text and children. */
export interface XmlEl {
  name: string;
  attrs: Record<string, string>;
  children: XmlEl[];
  text: string;
  line: number;
}

export interface XmlHandler {
  /**
   * Every opening tag outside a collected subtree. Return true to collect the element whole; it is then
   * given to `element` when it closes. `path` holds the local names of its ancestors.
   */
  open(name: string, attrs: Record<string, string>, path: readonly string[], line: number): boolean | void;
  element(el: XmlEl, path: readonly string[]): void;
  close?(name: string, path: readonly string[]): void;
  end?(): void;
}

const local = (n: string) => {
  const i = n.indexOf(':');
  return i < 0 ? n : n.slice(i + 1);
};

/** A DOCTYPE is tolerated only bare (`<!DOCTYPE nmaprun>`, as nmap writes it): no internal subset, no SYSTEM/PUBLIC id. */
const BARE_DOCTYPE = /^\s*[A-Za-z_][\w.:-]*\s*$/;

/** First child with this local name. */
export function child(el: XmlEl | undefined, name: string): XmlEl | undefined {
  return el?.children.find((c) => c.name === name);
}
export function children(el: XmlEl | undefined, name: string): XmlEl[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}
/** Trimmed text of the first child with this name, or null. */
export function childText(el: XmlEl | undefined, name: string): string | null {
  const t = child(el, name)?.text.trim();
  return t ? t : null;
}
/** All text below an element (for HTML-ish descriptions split over inline elements). */
export function deepText(el: XmlEl): string {
  return (el.text + el.children.map(deepText).join(' ')).trim();
}

/**
 * Stream an XML report through saxes and hand the subtrees a reader asks for to it, yielding the events it
 * emitted after each input chunk. Hardening (docs/security.md): no DTD is processed — a DOCTYPE with an
 * internal subset or an external identifier is refused (billion laughs, XXE); saxes knows only the five
 * predefined entities, so any other entity reference is an error; the prolog is bounded so a DOCTYPE that
 * never closes is refused early; one collected item is bounded by `maxElementChars`. Errors carry the line.
 */
export async function* xmlEvents(
  chunks: AsyncIterable<string>,
  makeHandler: (emit: (e: ScanEvent) => void) => XmlHandler,
  limits: ScanLimits = DEFAULT_SCAN_LIMITS,
): AsyncGenerator<ScanEvent[]> {
  let out: ScanEvent[] = [];
  const handler = makeHandler((e) => out.push(e));
  const parser = new SaxesParser({ position: true });
  const path: string[] = [];
  let rootSeen = false;
  let prolog = 0;
  // Collection state: a stack of elements being built, and the path depth where collection began.
  const building: XmlEl[] = [];
  let collected = 0;
  let collectPath: string[] = [];

  parser.on('doctype', (dt) => {
    if (!BARE_DOCTYPE.test(dt)) {
      throw new ScanImportError('xml_doctype', 'Tệp XML có khai báo DOCTYPE với DTD/thực thể (có thể là tấn công "billion laughs" hoặc XXE); không chấp nhận.', parser.line);
    }
  });
  parser.on('opentag', (tag) => {
    rootSeen = true;
    const name = local(tag.name);
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) {
      attrs[local(k)] = typeof v === 'string' ? v : v.value;
      collected += k.length + (typeof v === 'string' ? v.length : v.value.length);
    }
    if (building.length > 0) {
      const el: XmlEl = { name, attrs, children: [], text: '', line: parser.line };
      building[building.length - 1]!.children.push(el);
      building.push(el);
    } else if (handler.open(name, attrs, path, parser.line) === true) {
      collected = 0;
      collectPath = [...path];
      building.push({ name, attrs, children: [], text: '', line: parser.line });
    }
    path.push(name);
    if (tag.isSelfClosing) return; // saxes still emits closetag
  });
  const onText = (t: string) => {
    if (building.length === 0) return;
    collected += t.length;
    if (collected > limits.maxElementChars) {
      throw new ScanImportError('element_too_large', `Một mục trong báo cáo vượt ${limits.maxElementChars} ký tự.`, parser.line);
    }
    building[building.length - 1]!.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    path.pop();
    if (building.length > 0) {
      const el = building.pop()!;
      if (building.length === 0) handler.element(el, collectPath);
      return;
    }
    handler.close?.(local(tag.name), path);
  });

  try {
    for await (const chunk of chunks) {
      if (!rootSeen) {
        // Feed the prolog in small slices so an unterminated DOCTYPE is caught within the budget.
        for (let i = 0; i < chunk.length; i += 4096) {
          if (rootSeen) {
            parser.write(chunk.slice(i));
            break;
          }
          parser.write(chunk.slice(i, i + 4096));
          prolog += Math.min(4096, chunk.length - i);
          if (!rootSeen && prolog > limits.maxPrologBytes) {
            throw new ScanImportError('xml_prolog', `Phần đầu tệp XML dài quá ${limits.maxPrologBytes} byte trước phần tử gốc.`, parser.line);
          }
        }
      } else {
        parser.write(chunk);
      }
      if (out.length > 0) {
        yield out;
        out = [];
      }
    }
    parser.close();
    handler.end?.();
  } catch (err) {
    if (err instanceof ScanImportError) throw err;
    const msg = (err as Error).message.replace(/^[^:]*:\d+:\d+: /, '');
    throw new ScanImportError('xml_malformed', `XML không hợp lệ: ${msg}`, parser.line);
  }
  if (!rootSeen) throw new ScanImportError('xml_empty', 'Tệp XML không có phần tử gốc.');
  if (out.length > 0) yield out;
}
