// Attachments of messages (MG-9): which files are accepted, checked by their content, never by their name or the
// type the browser declared.
//
// Accepted: PDF, JPEG and PNG — what a citizen sends (a photo, a scanned letter) and what a practice sends back
// (a letter, a form). HEIC (an iPhone's own photo format) is not accepted: browsers and most practice systems cannot
// show it, and iOS converts a photo to JPEG when the page's file field asks only for JPEG/PNG/PDF (`accept`).
//
// Limits: at most 10 MiB per file (a phone photo is 2–5 MB, a scanned letter less), at most 3 files and 20 MiB per
// message (the whole message is checked, encrypted and stored in one transaction, so it is held in memory once;
// 3 × 10 MiB would let 8 concurrent uploads take a quarter of a GiB). The multipart reader stops an upload as soon
// as a limit is passed, while it streams (multipart.ts).
//
// Besides the magic bytes:
//   * a PDF must not carry active content (JavaScript, automatic or launch actions, embedded files, XFA): the same
//     check as for FHIR DocumentReferences (src/fhir, pdfActiveContent);
//   * nothing may follow the end of the file: a JPEG ends with its EOI marker, a PNG with its IEND chunk, a PDF with
//     %%EOF (whitespace aside). That refuses polyglots that carry a second file behind the first — a ZIP (or a JAR,
//     an Office document) behind a JPEG or a PDF, which an unzip tool opens from the end — and an HTML page behind an
//     image. An HTML page BEFORE the PDF header is refused by the magic-byte check (the header must be at byte 0,
//     although PDF readers look for it anywhere in the first KiB).
// Served with Content-Disposition: attachment, nosniff and the checked Content-Type (routes), so that no browser
// renders an upload in the portal's origin whatever it contains.
import { fileTypeFromBuffer } from 'file-type';
import { pdfActiveContent } from '../fhir/index.js';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 3;
export const MAX_MESSAGE_BYTES = 20 * 1024 * 1024;
export const ACCEPT = 'application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png';

export type AttachmentType = 'application/pdf' | 'image/jpeg' | 'image/png';
const EXTENSION: Record<AttachmentType, string> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
};

export type AttachmentRefusal = 'type' | 'active' | 'trailing' | 'empty' | 'size' | 'count' | 'total';

export class AttachmentRefused extends Error {
  constructor(
    readonly reason: AttachmentRefusal,
    /** The file's name as the sender chose it (sanitised), for the message the sender reads; never logged. */
    readonly fileName: string,
  ) {
    super(`attachment refused: ${reason}`);
  }
}

export interface CheckedAttachment {
  contentType: AttachmentType;
  fileName: string;
  data: Buffer;
}

/** Bytes after the real end of the file (a polyglot's second part), or false when it ends where its format ends. */
function trailingData(type: AttachmentType, data: Buffer): boolean {
  switch (type) {
    case 'image/jpeg': {
      // The last EOI marker must be the end (some cameras pad with zero bytes).
      let end = data.length;
      while (end > 0 && data[end - 1] === 0x00) end--;
      return !(end >= 2 && data[end - 2] === 0xff && data[end - 1] === 0xd9);
    }
    case 'image/png': {
      // …IEND chunk: length 0, "IEND", CRC AE 42 60 82.
      const iend = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
      return !(data.length >= iend.length && data.subarray(data.length - iend.length).equals(iend));
    }
    case 'application/pdf': {
      const tail = data.subarray(Math.max(0, data.length - 1024)).toString('latin1');
      const at = tail.lastIndexOf('%%EOF');
      return at < 0 || tail.slice(at + 5).trim() !== '';
    }
  }
}

/** A file name safe to show and to send back: no path, no control or direction characters, the checked extension. */
export function safeFileName(name: string, type: AttachmentType | null): string {
  const base =
    name
      .replace(/^.*[\\/]/, '')
      .normalize('NFC')
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"<>:|?*]/g, '')
      .trim()
      .slice(0, 120) || 'bijlage';
  if (!type) return base;
  const ext = EXTENSION[type];
  const stem = base.replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'bijlage';
  return `${stem}.${ext}`;
}

/** Checks one uploaded file; throws AttachmentRefused. */
export async function checkAttachment(name: string, data: Buffer): Promise<CheckedAttachment> {
  const shown = safeFileName(name, null);
  if (data.length === 0) throw new AttachmentRefused('empty', shown);
  if (data.length > MAX_FILE_BYTES) throw new AttachmentRefused('size', shown);
  const detected = await fileTypeFromBuffer(data);
  const type = detected?.mime as AttachmentType | undefined;
  if (!type || !(type in EXTENSION)) throw new AttachmentRefused('type', shown);
  // file-type finds a PDF by "%PDF" at the start; insist on the full header at byte 0.
  if (type === 'application/pdf' && data.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw new AttachmentRefused('type', shown);
  }
  if (type === 'application/pdf' && pdfActiveContent(data) !== null) throw new AttachmentRefused('active', shown);
  if (trailingData(type, data)) throw new AttachmentRefused('trailing', shown);
  return { contentType: type, fileName: safeFileName(name, type), data };
}

/**
 * Content-Disposition for a download (RFC 6266 with RFC 5987 for the name): always `attachment`, an ASCII fallback
 * name and the UTF-8 name percent-encoded.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/["\\%;]/g, '_')
    .trim();
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii || 'bijlage'}"; filename*=UTF-8''${encoded}`;
}
