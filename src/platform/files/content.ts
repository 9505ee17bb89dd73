// Files people send each other (issue 13, MG-9): which files are accepted, checked by their content, never by their
// name or the type the sender declared. ONE check for every way in — a citizen's or an employee's upload in the
// portal (src/messages) and an attachment the organisation's system sends over FHIR Communication (src/fhir) — so
// that a file the portal refuses cannot get in another way. Generic file safety, so it lives in the kernel.
//
// Accepted: PDF, JPEG and PNG — what a citizen sends (a photo, a scanned letter) and what a practice sends back
// (a letter, a form). HEIC (an iPhone's own photo format) is not accepted: browsers and most practice systems cannot
// show it, and iOS converts a photo to JPEG when the page's file field asks only for JPEG/PNG/PDF (`accept`).
//
// Limits: at most 10 MiB per file (a phone photo is 2–5 MB, a scanned letter less), at most 3 files and 20 MiB per
// message (the whole message is checked, encrypted and stored in one transaction, so it is held in memory once;
// 3 × 10 MiB would let 8 concurrent uploads take a quarter of a GiB).
//
// Besides the magic bytes:
//   * a PDF must have its full header at byte 0 and must not carry active content (JavaScript, automatic or launch
//     actions, embedded files, XFA): pdf.ts, the same check as for FHIR DocumentReferences;
//   * nothing may follow the end of the file: a JPEG ends with its EOI marker, a PNG with its IEND chunk, a PDF with
//     %%EOF (whitespace aside). That refuses polyglots that carry a second file behind the first — a ZIP (or a JAR,
//     an Office document) behind a JPEG or a PDF, which an unzip tool opens from the end — and an HTML page behind an
//     image. An HTML page BEFORE the PDF header is refused by the magic-byte check (the header must be at byte 0,
//     although PDF readers look for it anywhere in the first KiB).
// Served with Content-Disposition: attachment (contentDisposition), nosniff and the checked Content-Type, so that no
// browser renders an upload in the portal's origin whatever it contains.
import { fileTypeFromBuffer } from 'file-type';
import { pdfActiveContent } from './pdf.js';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 3;
export const MAX_MESSAGE_BYTES = 20 * 1024 * 1024;
/** The file field's `accept`. */
export const ACCEPT = 'application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png';

export const FILE_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type FileType = (typeof FILE_TYPES)[number];
const EXTENSION: Record<FileType, string> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
};

/** Why a file is refused: its content ('type', 'active', 'trailing', 'empty', 'size'). */
export type FileRefusal = 'type' | 'active' | 'trailing' | 'empty' | 'size';

export type FileCheck = { ok: true; type: FileType } | { ok: false; reason: FileRefusal; detail?: string };

/** Bytes after the real end of the file (a polyglot's second part), or false when it ends where its format ends. */
function trailingData(type: FileType, data: Buffer): boolean {
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

/**
 * Checks one file's bytes: not empty, at most MAX_FILE_BYTES, PDF, JPEG or PNG by its magic bytes, a PDF without
 * active content (`detail` names what was found), nothing after the file's own end. The type is what the bytes are.
 */
export async function checkFileContent(data: Buffer): Promise<FileCheck> {
  if (data.length === 0) return { ok: false, reason: 'empty' };
  if (data.length > MAX_FILE_BYTES) return { ok: false, reason: 'size' };
  const detected = (await fileTypeFromBuffer(data))?.mime;
  const type = (FILE_TYPES as readonly string[]).includes(detected ?? '') ? (detected as FileType) : null;
  if (!type) return { ok: false, reason: 'type' };
  if (type === 'application/pdf') {
    // file-type finds a PDF by "%PDF" at the start; insist on the full header at byte 0.
    if (data.subarray(0, 5).toString('latin1') !== '%PDF-') return { ok: false, reason: 'type' };
    const active = pdfActiveContent(data);
    if (active !== null) return { ok: false, reason: 'active', detail: active };
  }
  if (trailingData(type, data)) return { ok: false, reason: 'trailing' };
  return { ok: true, type };
}

/** A file name safe to show and to send back: no path, no control or direction characters, the checked extension. */
export function safeFileName(name: string, type: FileType | null): string {
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
