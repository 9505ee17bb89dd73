// A small layout on pdfkit for printable A4 documents: a title, a boxed notice, facts (label: value), sections with
// tables that flow over pages and repeat their header row, and a header and footer on every page ("page 2 of 3").
// Only the standard Helvetica fonts (AFM metrics shipped with pdfkit, nothing embedded or downloaded): they cover
// Windows-1252, so every text goes through pdfText() first — é, ë, ï, ß, ø stay; what the font cannot show (ł, ş,
// Cyrillic …) becomes its base letter or "?", never a wrong glyph.
import type PDFKit from 'pdfkit';

/** A label in one language, or bilingual: [Dutch, English] — the second printed smaller below the first. */
export type Label = readonly [string] | readonly [string, string];

export interface TableColumn {
  header: Label;
  /** Share of the line width. */
  width: number;
}

export type Block =
  | { kind: 'title'; text: Label }
  | { kind: 'letterhead'; lines: readonly string[] }
  | { kind: 'notice'; lines: readonly string[]; detail?: readonly string[] }
  | { kind: 'facts'; rows: readonly (readonly [Label, string])[] }
  | { kind: 'section'; title: Label }
  | { kind: 'table'; columns: readonly TableColumn[]; rows: readonly (readonly string[])[]; empty: readonly string[] }
  | { kind: 'paragraph'; text: string; small?: boolean };

export interface DocumentSpec {
  title: string;
  lang: string;
  headerLeft: string;
  headerRight: string;
  footer: readonly string[];
  pageLabel: (page: number, pages: number) => string;
  /** What a continued section's title gets ("(vervolg)"), per language of its label. */
  continued: Label;
  blocks: readonly Block[];
}

// Windows-1252 beyond Latin-1: the characters pdfkit's standard fonts map (its WIN_ANSI_MAP).
const WIN_ANSI_EXTRA = new Set(
  [402, 8211, 8212, 8216, 8217, 8218, 8220, 8221, 8222, 8224, 8225, 8226, 8230, 8364, 8240, 8249, 8250, 710, 8482]
    .concat([338, 339, 732, 352, 353, 376, 381, 382])
    .map((c) => String.fromCharCode(c)),
);
const FALLBACK: Record<string, string> = {
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ħ: 'h',
  Ħ: 'H',
  ı: 'i',
  ŀ: 'l',
  Ŀ: 'L',
  ŋ: 'n',
  Ŋ: 'N',
  '\u2010': '-',
  '\u2011': '-',
  '\u2212': '-',
  '\u2009': ' ',
  '\u202f': ' ',
  '\u2007': ' ',
  '\u2264': '<=',
  '\u2265': '>=',
  '\u2032': "'",
  ʼ: '’',
};

function printable(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || WIN_ANSI_EXTRA.has(ch);
}

/**
 * A text the standard PDF fonts can show: Windows-1252 characters as they are; others as their letter without its
 * accent (NFD), a known substitute, or "?". Control and direction-override characters go; `keepLines` keeps "\n".
 */
export function pdfText(s: string, keepLines = false): string {
  let out = '';
  for (const ch of s.normalize('NFC')) {
    if (ch === '\n' && keepLines) out += ch;
    else if (ch === '\n' || ch === '\r' || ch === '\t') out += ' ';
    else if (printable(ch)) out += ch;
    else if (FALLBACK[ch] !== undefined) out += FALLBACK[ch];
    else if (/[\p{Cc}\p{Cf}\p{Cs}\p{Co}]/u.test(ch)) continue;
    else {
      const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
      out += base !== '' && Array.from(base).every(printable) ? base : '?';
    }
  }
  return keepLines ? out.replace(/[ ]{2,}/g, ' ') : out.replace(/\s{2,}/g, ' ').trim();
}

const A4 = { width: 595.28, height: 841.89 };
const M = { left: 42, right: 42, top: 64, bottom: 62 };
const INK = '#1a1a1a';
const MUTED = '#55595e';
const BRAND = '#154273';
const RULE = '#b9bec4';
const SHADE = '#f1f3f5';
const WARN = '#a4141b';
const WARN_FILL = '#fcebec';
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const CELL = 9;
const CELL_PAD = 4;
/** A cell's text is cut here: one row must fit on a page. */
const CELL_MAX = 700;

/** Renders the document to a PDF (A4, standard fonts, pages numbered). */
export async function renderPdf(spec: DocumentSpec, created: Date): Promise<Buffer> {
  // Loaded at the first download, not at start: most processes never make a PDF.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margins: M,
    bufferPages: true,
    autoFirstPage: true,
    pdfVersion: '1.7',
    lang: spec.lang,
    displayTitle: true,
    // Tagged (headings, paragraphs, tables with header cells; rules, header and footer as artifacts), so that a
    // screen reader reads the document in order and the tables as tables.
    tagged: true,
    info: { Title: pdfText(spec.title), Creator: 'Koepel', Producer: 'Koepel (pdfkit)', CreationDate: created },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  new Layout(doc, spec).render();
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

type Element = PDFKit.PDFStructureElement;
/** A table header cell's scope (pdfkit supports it; its type definitions do not name it yet). */
const scope = (s: 'Row' | 'Column') => ({ scope: s }) as PDFKit.Mixins.StructureElementOptions;

class Layout {
  private readonly width = A4.width - M.left - M.right;
  private readonly bottom = A4.height - M.bottom;
  private section: Label | null = null;
  private readonly root: Element;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly spec: DocumentSpec,
  ) {
    this.root = doc.struct('Document');
    doc.addStructure(this.root);
  }

  render(): void {
    this.doc.fillColor(INK);
    for (const b of this.spec.blocks) this.block(b);
    this.root.end();
    this.frame();
  }

  /** Content of a structure element (drawn at once: the root is attached). */
  private tag(type: string, draw: () => void, parent: Element = this.root): void {
    parent.add(this.doc.struct(type, {}, [draw]));
  }

  /** Drawing that is no content: rules, shading, repeated headings, the page frame. */
  private artifact(draw: () => void): void {
    this.doc.markContent('Artifact');
    draw();
    this.doc.endMarkedContent();
  }

  private get y(): number {
    return this.doc.y;
  }

  private set y(v: number) {
    this.doc.y = v;
  }

  private newPage(): void {
    this.doc.addPage();
    this.y = M.top;
  }

  /** A new page when `needed` points do not fit below the current position. */
  private ensure(needed: number): boolean {
    if (this.y + needed <= this.bottom) return false;
    this.newPage();
    return true;
  }

  private text(s: string, x: number, y: number, o: { font?: string; size?: number; color?: string; width?: number }) {
    this.doc
      .font(o.font ?? FONT)
      .fontSize(o.size ?? 10)
      .fillColor(o.color ?? INK)
      .text(pdfText(s, true), x, y, { width: o.width ?? this.width, lineGap: 1 });
    return this.doc.y;
  }

  private height(s: string, width: number, font = FONT, size = 10): number {
    return this.doc.font(font).fontSize(size).heightOfString(pdfText(s, true), { width, lineGap: 1 });
  }

  private block(b: Block): void {
    switch (b.kind) {
      case 'title': {
        this.ensure(50);
        let y = this.y;
        this.tag('H1', () => {
          y = this.text(b.text[0], M.left, y, { font: BOLD, size: 19, color: BRAND });
          if (b.text[1]) y = this.text(b.text[1], M.left, y, { size: 13, color: BRAND });
        });
        this.y = y + 8;
        return;
      }
      case 'letterhead': {
        this.ensure(80);
        const [first, ...rest] = b.lines;
        let y = this.y;
        this.tag('P', () => {
          y = this.text(first ?? '', M.left, y, { font: BOLD, size: 15, color: BRAND });
          for (const l of rest) y = this.text(l, M.left, y, { size: 10 });
        });
        this.artifact(() =>
          this.doc
            .moveTo(M.left, y + 6)
            .lineTo(M.left + this.width, y + 6)
            .lineWidth(1)
            .strokeColor(BRAND)
            .stroke(),
        );
        this.y = y + 16;
        return;
      }
      case 'notice': {
        const inner = this.width - 24;
        const h =
          b.lines.reduce((sum, l) => sum + this.height(l, inner, BOLD, 13), 0) +
          (b.detail ?? []).reduce((sum, l) => sum + this.height(l, inner, FONT, 9) + 2, 0) +
          20;
        this.ensure(h + 10);
        const top = this.y;
        this.artifact(() => this.doc.rect(M.left, top, this.width, h).lineWidth(2).fillAndStroke(WARN_FILL, WARN));
        let y = top + 10;
        this.tag('P', () => {
          for (const l of b.lines)
            y = this.text(l, M.left + 12, y, { font: BOLD, size: 13, color: WARN, width: inner });
        });
        y += 2;
        for (const l of b.detail ?? [])
          this.tag('P', () => (y = this.text(l, M.left + 12, y, { size: 9, width: inner }) + 2));
        this.y = top + h + 12;
        return;
      }
      case 'facts': {
        const labelWidth = 150;
        for (const [label, value] of b.rows) {
          const lh = this.labelHeight(label, labelWidth, 9.5);
          const vh = this.height(value, this.width - labelWidth, BOLD, 11);
          this.ensure(Math.max(lh, vh) + 4);
          const top = this.y;
          let end = top;
          this.tag('P', () => {
            this.label(label, M.left, top, labelWidth - 8, 9.5, false);
            end = this.text(value, M.left + labelWidth, top, {
              font: BOLD,
              size: 11,
              width: this.width - labelWidth,
            });
          });
          this.y = Math.max(top + lh, end) + 4;
        }
        this.y += 8;
        return;
      }
      case 'section': {
        this.section = b.title;
        // A heading never ends a page: keep room for it, the table's header and one row.
        this.ensure(this.labelHeight(b.title, this.width, 12.5) + 60);
        this.sectionTitle(b.title, false);
        return;
      }
      case 'table':
        this.table(b.columns, b.rows, b.empty);
        return;
      case 'paragraph': {
        const size = b.small ? 8.5 : 10;
        this.ensure(this.height(b.text, this.width, FONT, size) + 4);
        this.tag('P', () => (this.y = this.text(b.text, M.left, this.y, { size, color: b.small ? MUTED : INK }) + 6));
        return;
      }
    }
  }

  private sectionTitle(title: Label, continued: boolean): void {
    const more = this.spec.continued;
    const t: Label = continued
      ? title[1] !== undefined
        ? [`${title[0]} ${more[0]}`, `${title[1]} ${more[1] ?? more[0]}`]
        : [`${title[0]} ${more[0]}`]
      : title;
    const top = this.y + 4;
    let end = top;
    const draw = () => (end = this.label(t, M.left, top, this.width, 12.5, true));
    if (continued) this.artifact(draw);
    else this.tag('H2', draw);
    this.artifact(() =>
      this.doc
        .moveTo(M.left, end + 2)
        .lineTo(M.left + this.width, end + 2)
        .lineWidth(0.75)
        .strokeColor(BRAND)
        .stroke(),
    );
    this.y = end + 7;
  }

  /** A label: the first language bold, the second below it, smaller and muted. Returns the y below it. */
  private label(l: Label, x: number, y: number, width: number, size: number, heading: boolean): number {
    let end = this.text(l[0], x, y, { font: BOLD, size, color: heading ? BRAND : INK, width });
    if (l[1] !== undefined) end = this.text(l[1], x, end, { size: size - 1.5, color: MUTED, width });
    return end;
  }

  private labelHeight(l: Label, width: number, size: number): number {
    return this.height(l[0], width, BOLD, size) + (l[1] !== undefined ? this.height(l[1], width, FONT, size - 1.5) : 0);
  }

  private table(columns: readonly TableColumn[], rows: readonly (readonly string[])[], empty: readonly string[]): void {
    if (rows.length === 0) {
      for (const l of empty) {
        this.ensure(this.height(l, this.width) + 4);
        this.tag('P', () => (this.y = this.text(l, M.left, this.y, { size: 10, color: INK }) + 2));
      }
      this.y += 10;
      return;
    }
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const xs = widths.map((_, i) => M.left + widths.slice(0, i).reduce((s, w) => s + w, 0));
    const headerHeight =
      Math.max(...columns.map((c, i) => this.labelHeight(c.header, (widths[i] ?? 0) - 2 * CELL_PAD, 8.5))) +
      2 * CELL_PAD;
    const table = this.doc.struct('Table');
    this.root.add(table);
    /** The header row: tagged once; repeated on a next page as an artifact. */
    const drawHeader = (repeated: boolean) => {
      const top = this.y;
      this.artifact(() => this.doc.rect(M.left, top, this.width, headerHeight).fill(SHADE));
      const cell = (c: TableColumn, i: number) => () =>
        this.label(c.header, (xs[i] ?? 0) + CELL_PAD, top + CELL_PAD, (widths[i] ?? 0) - 2 * CELL_PAD, 8.5, false);
      if (repeated) this.artifact(() => columns.forEach((c, i) => cell(c, i)()));
      else {
        const tr = this.doc.struct('TR');
        table.add(tr);
        columns.forEach((c, i) => tr.add(this.doc.struct('TH', scope('Column'), [cell(c, i)])));
        tr.end();
      }
      this.artifact(() =>
        this.doc
          .moveTo(M.left, top + headerHeight)
          .lineTo(M.left + this.width, top + headerHeight)
          .lineWidth(0.75)
          .strokeColor(INK)
          .stroke(),
      );
      this.y = top + headerHeight;
    };
    drawHeader(false);
    for (const row of rows) {
      const cells = row.map((c) => (c.length > CELL_MAX ? `${c.slice(0, CELL_MAX - 1)}…` : c));
      const h =
        Math.max(
          ...cells.map((c, i) => this.height(c || '–', (widths[i] ?? 0) - 2 * CELL_PAD, i === 0 ? BOLD : FONT, CELL)),
        ) +
        2 * CELL_PAD;
      if (this.ensure(h)) {
        if (this.section) this.sectionTitle(this.section, true);
        drawHeader(true);
      }
      const top = this.y;
      const tr = this.doc.struct('TR');
      table.add(tr);
      cells.forEach((c, i) =>
        tr.add(
          this.doc.struct(i === 0 ? 'TH' : 'TD', i === 0 ? scope('Row') : {}, [
            () =>
              this.text(c || '–', (xs[i] ?? 0) + CELL_PAD, top + CELL_PAD, {
                font: i === 0 ? BOLD : FONT,
                size: CELL,
                width: (widths[i] ?? 0) - 2 * CELL_PAD,
              }),
          ]),
        ),
      );
      tr.end();
      this.artifact(() =>
        this.doc
          .moveTo(M.left, top + h)
          .lineTo(M.left + this.width, top + h)
          .lineWidth(0.5)
          .strokeColor(RULE)
          .stroke(),
      );
      this.y = top + h;
    }
    table.end();
    this.y += 14;
  }

  /** Header and footer on every page, once the number of pages is known. */
  private frame(): void {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      // Writing in the margins must not start a new page.
      const margins = { ...this.doc.page.margins };
      this.doc.page.margins = { top: 0, bottom: 0, left: M.left, right: M.right };
      this.doc.markContent('Artifact', { type: 'Pagination' });
      this.text(this.spec.headerLeft, M.left, 28, { font: BOLD, size: 9, color: BRAND, width: this.width / 2 });
      this.doc
        .font(FONT)
        .fontSize(9)
        .fillColor(MUTED)
        .text(pdfText(this.spec.headerRight), M.left + this.width / 2, 28, { width: this.width / 2, align: 'right' });
      this.doc
        .moveTo(M.left, 44)
        .lineTo(M.left + this.width, 44)
        .lineWidth(0.5)
        .strokeColor(RULE)
        .stroke();
      const footTop = A4.height - M.bottom + 12;
      this.doc
        .moveTo(M.left, footTop - 4)
        .lineTo(M.left + this.width, footTop - 4)
        .lineWidth(0.5)
        .strokeColor(RULE)
        .stroke();
      let y = footTop;
      for (const l of this.spec.footer)
        y = this.text(l, M.left, y, { size: 7.5, color: MUTED, width: this.width - 130 });
      this.doc
        .font(FONT)
        .fontSize(8)
        .fillColor(MUTED)
        .text(pdfText(this.spec.pageLabel(i - range.start + 1, range.count)), M.left + this.width - 125, footTop, {
          width: 125,
          align: 'right',
        });
      this.doc.endMarkedContent();
      this.doc.page.margins = margins;
    }
  }
}
