import {
  AlignmentType, BorderStyle, Document, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType,
} from 'docx';

/**
 * An administrative document (văn bản hành chính) as plain data, rendered to DOCX (the `docx` package) and to
 * HTML (printed to PDF by Chromium). Layout after the Vietnamese administrative format (NĐ 30/2020/NĐ-CP,
 * Phụ lục I): issuing body top-left with the number under it, the national motto (Quốc hiệu và Tiêu ngữ)
 * top-right with place and date, the title centred, the body, recipients (Nơi nhận) bottom-left and the
 * signature block bottom-right. Times New Roman 13–14 pt.
 */
export interface AdminDocument {
  issuerParent: string | null;
  issuer: string;
  number: string;
  place: string;
  /** Instant of signing; shown as "ngày … tháng … năm …" in Vietnam time. */
  date: string;
  title: string;
  subtitle: string;
  sections: { heading: string; lines?: string[]; rows?: [string, string][] }[];
  recipients: string[];
  signerTitle: string;
  signerName: string;
}

export const MOTTO_1 = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
export const MOTTO_2 = 'Độc lập - Tự do - Hạnh phúc';

export function vnDateLine(place: string, iso: string): string {
  const d = new Date(Date.parse(iso) + 7 * 3_600_000);
  const dd = String(d.getUTCDate()).padStart(2, '0');
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  return `${place}, ngày ${dd} tháng ${mm} năm ${d.getUTCFullYear()}`;
}

const FONT = 'Times New Roman';
const run = (text: string, o: { bold?: boolean; italics?: boolean; size?: number; underline?: boolean } = {}) =>
  new TextRun({ text, font: FONT, size: (o.size ?? 13) * 2, bold: o.bold, italics: o.italics, underline: o.underline ? {} : undefined });
const para = (children: TextRun[], align: (typeof AlignmentType)[keyof typeof AlignmentType] = AlignmentType.LEFT, after = 60) =>
  new Paragraph({ children, alignment: align, spacing: { after } });
const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const noBorders = { top: NONE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE };

function twoColumns(left: Paragraph[], right: Paragraph[], widths: [number, number] = [40, 60]): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: noBorders,
    rows: [new TableRow({ children: [
      new TableCell({ width: { size: widths[0], type: WidthType.PERCENTAGE }, borders: noBorders, children: left }),
      new TableCell({ width: { size: widths[1], type: WidthType.PERCENTAGE }, borders: noBorders, children: right }),
    ] })],
  });
}

/** Render the document as DOCX bytes. */
export async function renderDocx(d: AdminDocument): Promise<Buffer> {
  const C = AlignmentType.CENTER;
  const header = twoColumns(
    [
      ...(d.issuerParent ? [para([run(d.issuerParent.toUpperCase(), { size: 13 })], C, 0)] : []),
      para([run(d.issuer.toUpperCase(), { bold: true, size: 13 })], C, 120),
      para([run(`Số: ${d.number}`, { size: 13 })], C),
    ],
    [
      para([run(MOTTO_1, { bold: true, size: 13 })], C, 0),
      para([run(MOTTO_2, { bold: true, size: 14, underline: true })], C, 120),
      para([run(vnDateLine(d.place, d.date), { italics: true, size: 14 })], C),
    ],
  );
  const body: (Paragraph | Table)[] = [
    header,
    para([run('')]),
    para([run(d.title, { bold: true, size: 14 })], C, 0),
    para([run(d.subtitle, { bold: true, size: 14 })], C, 240),
  ];
  for (const s of d.sections) {
    body.push(para([run(s.heading, { bold: true, size: 14 })], AlignmentType.LEFT, 60));
    for (const l of s.lines ?? []) body.push(para([run(l, { size: 14 })], AlignmentType.JUSTIFIED));
    for (const [k, v] of s.rows ?? []) body.push(para([run(`${k}: `, { size: 14, italics: true }), run(v, { size: 14 })], AlignmentType.JUSTIFIED));
  }
  body.push(para([run('')]));
  body.push(twoColumns(
    [para([run('Nơi nhận:', { bold: true, italics: true, size: 12 })], AlignmentType.LEFT, 0), ...d.recipients.map((r) => para([run(`- ${r};`, { size: 11 })], AlignmentType.LEFT, 0))],
    [
      para([run(d.signerTitle.toUpperCase(), { bold: true, size: 14 })], C, 0),
      para([run('(Ký, ghi rõ họ tên, đóng dấu)', { italics: true, size: 13 })], C, 1200),
      para([run(d.signerName, { bold: true, size: 14 })], C),
    ],
    [50, 50],
  ));
  const doc = new Document({
    creator: 'Khiên',
    title: `${d.title} ${d.number}`,
    styles: { default: { document: { run: { font: FONT, size: 28 } } } },
    sections: [{ properties: { page: { margin: { top: 1134, bottom: 1134, left: 1701, right: 850 } } }, children: body }],
  });
  return Packer.toBuffer(doc);
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The same document as self-contained HTML (no scripts, no external resources) for printing to PDF. */
export function renderHtml(d: AdminDocument): string {
  const sections = d.sections.map((s) => `<h3>${esc(s.heading)}</h3>${(s.lines ?? []).map((l) => `<p>${esc(l)}</p>`).join('')}${(s.rows ?? []).map(([k, v]) => `<p><i>${esc(k)}:</i> ${esc(v)}</p>`).join('')}`).join('');
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${esc(d.title)} ${esc(d.number)}</title>
<style>
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
body { font-family: 'Times New Roman', 'Liberation Serif', 'DejaVu Serif', serif; font-size: 14pt; line-height: 1.35; }
table.hd { width: 100%; border-collapse: collapse; } table.hd td { vertical-align: top; text-align: center; padding: 0; }
.b { font-weight: bold; } .u { text-decoration: underline; } .i { font-style: italic; }
h1 { text-align: center; font-size: 14pt; margin: 18pt 0 0; } h2 { text-align: center; font-size: 14pt; margin: 0 0 12pt; }
h3 { font-size: 14pt; margin: 10pt 0 4pt; } p { margin: 0 0 4pt; text-align: justify; }
.rec { font-size: 11pt; } .rec p { margin: 0; text-align: left; }
</style></head><body>
<table class="hd"><tr><td style="width:40%">${d.issuerParent ? `<div>${esc(d.issuerParent.toUpperCase())}</div>` : ''}<div class="b">${esc(d.issuer.toUpperCase())}</div><div style="margin-top:6pt">Số: ${esc(d.number)}</div></td>
<td style="width:60%"><div class="b">${MOTTO_1}</div><div class="b u">${MOTTO_2}</div><div class="i" style="margin-top:6pt">${esc(vnDateLine(d.place, d.date))}</div></td></tr></table>
<h1>${esc(d.title)}</h1><h2>${esc(d.subtitle)}</h2>
${sections}
<table class="hd" style="margin-top:18pt"><tr><td style="width:50%;text-align:left" class="rec"><p class="b i" style="font-size:12pt">Nơi nhận:</p>${d.recipients.map((r) => `<p>- ${esc(r)};</p>`).join('')}</td>
<td style="width:50%"><div class="b">${esc(d.signerTitle.toUpperCase())}</div><div class="i">(Ký, ghi rõ họ tên, đóng dấu)</div><div style="height:60pt"></div><div class="b">${esc(d.signerName)}</div></td></tr></table>
</body></html>`;
}

/** Print HTML to PDF with Chromium (playwright-core); null when Chromium or playwright-core is unavailable. */
export async function renderPdf(html: string, chromiumPath: string): Promise<Buffer | null> {
  const { existsSync } = await import('node:fs');
  if (!existsSync(chromiumPath)) return null;
  let pw: typeof import('playwright-core');
  try {
    pw = await import('playwright-core');
  } catch {
    return null;
  }
  const browser = await pw.chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  try {
    const ctx = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await ctx.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    return Buffer.from(await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true }));
  } finally {
    await browser.close();
  }
}
