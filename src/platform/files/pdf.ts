// PDF active content (generic file safety, used by every capability that accepts PDFs: FHIR DocumentReference and
// Binary ingest, secure-message attachments from the portal and over FHIR Communication). Moved here from
// src/fhir/attachments.ts in issue 13 so that one check serves all of them.
import { inflateSync } from 'node:zlib';

/**
 * PDF names that make a document act rather than show: JavaScript (/JS, /JavaScript — also what an /OpenAction runs),
 * additional actions on open, close, page or field events (/AA), starting another program (/Launch), files carried
 * inside (/EmbeddedFile, /EmbeddedFiles, /FileAttachment annotations), Flash/3D media (/RichMedia) and XFA forms,
 * which carry their own scripts (/XFA). A portal shows letters and results; none of these belongs in one.
 */
const ACTIVE_PDF_NAMES = new Set([
  'JS',
  'JavaScript',
  'AA',
  'Launch',
  'EmbeddedFile',
  'EmbeddedFiles',
  'FileAttachment',
  'RichMedia',
  'XFA',
]);
/** All decompressed streams of one PDF together may not exceed this (a small "zip bomb" must not cost memory). */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/** The first active-content name in `text` (PDF syntax: `/Name`, where `#xx` may spell any byte), or null. */
function activeName(text: string): string | null {
  for (const m of text.matchAll(/\/([^\s/[\]<>(){}%]+)/g)) {
    const raw = m[1] ?? '';
    const name = raw.includes('#')
      ? raw.replace(/#([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16)))
      : raw;
    if (ACTIVE_PDF_NAMES.has(name)) return `/${name}`;
  }
  return null;
}

/**
 * The active content a PDF carries (the first such name found), or null for a document that only shows. Reads the
 * file as it is and, because objects may hide in compressed object streams, every Flate-compressed stream too.
 */
export function pdfActiveContent(data: Buffer): string | null {
  const text = data.toString('latin1');
  const direct = activeName(text);
  if (direct) return direct;
  let budget = MAX_INFLATED_BYTES;
  for (const m of text.matchAll(/(?<!end)stream\r?\n/g)) {
    const start = (m.index ?? 0) + m[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0) break;
    let inflated: Buffer;
    try {
      inflated = inflateSync(data.subarray(start, end), { maxOutputLength: budget });
    } catch (err) {
      // Too much to inflate: refuse rather than let what we could not read through.
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return 'a compressed stream too large to check';
      continue; // not Flate (an image, say), or damaged: nothing to read
    }
    budget -= inflated.length;
    const found = activeName(inflated.toString('latin1'));
    if (found) return found;
  }
  return null;
}
