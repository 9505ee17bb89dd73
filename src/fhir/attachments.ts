// DocumentReference attachments: base64 in, bytes out, checked before anything is stored. A citizen's browser
// will open these files, so only a few harmless types are accepted and the bytes must be what the type says
// (a "PDF" that is really HTML would otherwise run in the portal's origin).
import { createHash } from 'node:crypto';
import { ATTACHMENT_TYPES } from './resources.js';
import { issue, type Issue } from '../platform/fhir/outcome.js';
import { MAX_FILE_BYTES } from '../platform/files/content.js';
import { pdfActiveContent } from '../platform/files/pdf.js';

// The PDF active-content check lives in the kernel (src/platform/files/pdf.ts); re-exported for this folder's tests.
export { pdfActiveContent };

/** The largest attachment Koepel stores, decoded. */
export const MAX_ATTACHMENT_BYTES = MAX_FILE_BYTES;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface DecodedAttachment {
  contentType: string;
  data: Buffer;
}

/** 'application/pdf; charset=x' → 'application/pdf'; text/plain keeps only a UTF-8 (or ASCII) charset. */
export function mediaType(contentType: string): { type: string; ok: boolean } {
  const [head = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (head !== 'text/plain') return { type: head, ok: true };
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  return { type: head, ok: charset === undefined || charset === 'utf-8' || charset === 'us-ascii' };
}

function looksLike(type: string, data: Buffer): boolean {
  switch (type) {
    case 'application/pdf':
      return data.subarray(0, 5).toString('latin1') === '%PDF-';
    case 'image/png':
      return data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    case 'image/jpeg':
      return data.length > 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff;
    case 'text/plain':
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(data);
        return !data.includes(0);
      } catch {
        return false;
      }
    default:
      return false;
  }
}

/**
 * Checks one attachment (at FHIRPath `path`) and decodes its data. Returns the bytes (or null when the attachment
 * has no data, only a link), or the issues found.
 */
export function decodeAttachment(
  attachment: {
    contentType: string;
    data?: string | undefined;
    url?: string | undefined;
    size?: number | undefined;
    hash?: string | undefined;
  },
  path: string,
  label: string,
): { ok: true; value: DecodedAttachment | null } | { ok: false; issues: Issue[] } {
  const fail = (code: Parameters<typeof issue>[0], field: string, problem: string) => ({
    ok: false as const,
    issues: [issue(code, `${label}: ${field} ${problem}`, `${path}.${field}`)],
  });
  const { type, ok } = mediaType(attachment.contentType);
  if (!ATTACHMENT_TYPES.has(type) || !ok) {
    return fail('value', 'contentType', `must be one of: ${[...ATTACHMENT_TYPES].join(', ')} (text in UTF-8)`);
  }
  if (attachment.data === undefined) {
    if (attachment.url === undefined) return fail('required', 'data', 'is required (or a url)');
    let url: URL | null = null;
    try {
      url = new URL(attachment.url);
    } catch {
      url = null;
    }
    if (!url || url.protocol !== 'https:') return fail('value', 'url', 'must be an https URL');
    return { ok: true, value: null };
  }
  const b64 = attachment.data.replace(/\s+/g, '');
  // Size first, from the length alone: a huge attachment is refused without decoding it.
  const decodedLength = Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
  if (decodedLength > MAX_ATTACHMENT_BYTES) {
    return fail('too-long', 'data', `is larger than the maximum of ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`);
  }
  if (b64.length === 0) return fail('required', 'data', 'is empty');
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) return fail('value', 'data', 'is not valid base64');
  const data = Buffer.from(b64, 'base64');
  if (!looksLike(type, data)) return fail('value', 'data', `does not contain ${type} content`);
  if (type === 'application/pdf') {
    const active = pdfActiveContent(data);
    if (active) {
      // 'value' (422) like every other content refusal here: the client may send documents, not this one.
      return fail(
        'value',
        'data',
        `is a PDF with active content (${active}): JavaScript, automatic or launch actions and embedded files are not accepted; send the document without them`,
      );
    }
  }
  if (attachment.size !== undefined && attachment.size !== data.length) {
    return fail('value', 'size', 'does not match the size of data');
  }
  if (attachment.hash !== undefined && attachment.hash !== sha1(data)) {
    return fail('value', 'hash', 'does not match the SHA-1 of data');
  }
  return { ok: true, value: { contentType: type, data } };
}

/** FHIR Attachment.hash: base64 of the SHA-1 of the data. */
export function sha1(data: Buffer): string {
  return createHash('sha1').update(data).digest('base64');
}
