// For tests: real PDFs made with pdf-lib — a clean letter, and letters that carry active content in each of the ways
// a PDF can (document JavaScript, an /OpenAction that runs JavaScript, page /AA actions, /Launch, an embedded file).
import { PDFDocument, PDFName, PDFString, StandardFonts } from 'pdf-lib';

async function letter(): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawText('Brief van de huisarts', {
    x: 50,
    y: 780,
    size: 14,
    font: await doc.embedFont(StandardFonts.Helvetica),
  });
  return doc;
}

export async function cleanPdf(): Promise<Buffer> {
  return Buffer.from(await (await letter()).save());
}

export type ActiveKind = 'document-javascript' | 'open-action-javascript' | 'page-aa' | 'launch' | 'embedded-file';

/** A PDF with active content of one kind; compressed object streams (pdf-lib's default) hide it from a plain scan. */
export async function activePdf(kind: ActiveKind, opts: { objectStreams?: boolean } = {}): Promise<Buffer> {
  const doc = await letter();
  const ctx = doc.context;
  const js = (code: string) => ctx.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of(code) });
  switch (kind) {
    case 'document-javascript':
      doc.addJavaScript('hello', 'app.alert("hello")');
      break;
    case 'open-action-javascript':
      doc.catalog.set(PDFName.of('OpenAction'), ctx.register(js('app.alert(1)')));
      break;
    case 'page-aa':
      doc.getPage(0).node.set(PDFName.of('AA'), ctx.obj({ O: ctx.register(js('app.alert(2)')) }));
      break;
    case 'launch':
      doc.catalog.set(
        PDFName.of('OpenAction'),
        ctx.register(ctx.obj({ Type: 'Action', S: 'Launch', F: PDFString.of('calc.exe') })),
      );
      break;
    case 'embedded-file':
      await doc.attach(Buffer.from('MZ not really a program'), 'update.exe', { mimeType: 'application/octet-stream' });
      break;
  }
  return Buffer.from(await doc.save({ useObjectStreams: opts.objectStreams ?? true }));
}
