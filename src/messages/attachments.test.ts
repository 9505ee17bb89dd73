// Attachment checks without a database: names, the download header, content types by magic bytes and polyglots.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttachmentRefused, checkAttachment, contentDisposition, safeFileName } from './attachments.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

test('[MG-9] a file name loses its path, control and direction characters and gets the checked extension', () => {
  assert.equal(safeFileName('C:\\Users\\x\\scan.exe', 'image/png'), 'scan.png');
  assert.equal(safeFileName('../../etc/passwd', null), 'passwd');
  assert.equal(safeFileName('rapport\u202Efdp.exe', 'application/pdf'), 'rapportfdp.pdf');
  assert.equal(safeFileName('"quoted"\r\n.pdf', 'application/pdf'), 'quoted.pdf');
  assert.equal(safeFileName('', 'image/jpeg'), 'bijlage.jpg');
});

test('[MG-9] Content-Disposition is always an attachment, with an ASCII fallback and an RFC 5987 name', () => {
  assert.equal(contentDisposition('uitslag.pdf'), `attachment; filename="uitslag.pdf"; filename*=UTF-8''uitslag.pdf`);
  assert.equal(
    contentDisposition('brief van dr. Ünal; 100%.pdf'),
    `attachment; filename="brief van dr. Unal_ 100_.pdf"; filename*=UTF-8''brief%20van%20dr.%20%C3%9Cnal%3B%20100%25.pdf`,
  );
  assert.equal(contentDisposition('日本.png'), `attachment; filename=".png"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.png`);
});

test('[MG-9] content decides: a PNG named .pdf is a PNG; trailing data and unknown types are refused', async () => {
  const ok = await checkAttachment('scan.pdf', PNG);
  assert.equal(ok.contentType, 'image/png');
  assert.equal(ok.fileName, 'scan.png');
  const refused = async (data: Buffer, reason: string) =>
    assert.rejects(checkAttachment('x.png', data), (e) => e instanceof AttachmentRefused && e.reason === reason);
  await refused(Buffer.concat([PNG, Buffer.from('PK\x05\x06')]), 'trailing');
  await refused(Buffer.from('GIF89a\x01\x00\x01\x00'), 'type');
  await refused(Buffer.alloc(0), 'empty');
  await refused(Buffer.from('<html><script>alert(1)</script></html>'), 'type');
});
