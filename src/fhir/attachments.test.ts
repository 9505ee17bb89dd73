// Active content in PDFs (JavaScript, automatic and launch actions, embedded files) is found — also inside
// compressed object streams and behind #xx-escaped names — and a clean PDF passes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { decodeAttachment, pdfActiveContent } from './attachments.js';
import { activePdf, cleanPdf, type ActiveKind } from './pdf-fixtures.testkit.js';

const KINDS: ActiveKind[] = ['document-javascript', 'open-action-javascript', 'page-aa', 'launch', 'embedded-file'];

test('a clean PDF has no active content', async () => {
  assert.equal(pdfActiveContent(await cleanPdf()), null);
});

test('every kind of active content is found, with and without object streams', async () => {
  for (const kind of KINDS) {
    for (const objectStreams of [true, false]) {
      const pdf = await activePdf(kind, { objectStreams });
      assert.ok(pdfActiveContent(pdf), `${kind} (object streams: ${objectStreams})`);
    }
  }
  assert.equal(pdfActiveContent(await activePdf('launch', { objectStreams: false })), '/Launch');
});

test('names spelt with #xx escapes and objects in a compressed stream are found', () => {
  const escaped = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Action /S /J#61vaScr#69pt /J#53 (app.alert(1)) >> endobj\n');
  assert.equal(pdfActiveContent(escaped), '/JavaScript');
  const hidden = deflateSync(Buffer.from('<< /OpenAction << /S /JavaScript /JS (x) >> >>'));
  const pdf = Buffer.concat([
    Buffer.from('%PDF-1.7\n2 0 obj << /Type /ObjStm /Filter /FlateDecode >> stream\n'),
    hidden,
    Buffer.from('\nendstream endobj\n'),
  ]);
  assert.equal(pdfActiveContent(pdf), '/JavaScript');
});

test('decodeAttachment refuses an active PDF with an issue on its data', async () => {
  const data = (await activePdf('document-javascript')).toString('base64');
  const result = decodeAttachment(
    { contentType: 'application/pdf', data },
    'DocumentReference.content[0].attachment',
    'Letter',
  );
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.issues[0]?.code, 'value');
  assert.deepEqual(result.issues[0]?.expression, ['DocumentReference.content[0].attachment.data']);
  assert.match(result.issues[0]?.diagnostics ?? '', /active content \((\/JavaScript|\/JS)\)/);
  const clean = decodeAttachment(
    { contentType: 'application/pdf', data: (await cleanPdf()).toString('base64') },
    'x',
    'Letter',
  );
  assert.equal(clean.ok, true);
});
