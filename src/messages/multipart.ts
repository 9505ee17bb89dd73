// Reading a message form with attachments (multipart/form-data, @fastify/multipart), streamed, with the limits of
// attachments.ts applied while the bytes arrive: a fourth file, a file over 10 MiB or a message over 20 MiB stops
// the upload there; nothing is stored.
//
// CSRF: the route says `config: { csrf: 'multipart' }`. The kernel then checks an X-CSRF-Token header if one is
// sent; otherwise this reader checks the form's FIRST part, which must be the `_csrf` field (the Form component
// writes it first, and browsers send fields in document order), with the kernel's own `checkCsrf` — before it reads
// any other field or a single byte of a file. A url-encoded form to the same route (no files) was checked by the
// kernel as usual.
import type { FastifyRequest } from 'fastify';
import { checkCsrf } from '../platform/http/request-context.js';
import { HttpError } from '../platform/http/errors.js';
import { AttachmentRefused, MAX_FILE_BYTES, MAX_FILES, MAX_MESSAGE_BYTES, safeFileName } from './attachments.js';

export interface UploadedFile {
  name: string;
  data: Buffer;
}

export interface Upload {
  fields: Record<string, string>;
  files: UploadedFile[];
  /** Why the upload was stopped (the fields read before it are kept, to show the form again). */
  refusal: AttachmentRefused | null;
}

const FIELD_BYTES = 100_000;

export async function readUpload(req: FastifyRequest, fileField: string): Promise<Upload> {
  const fields: Record<string, string> = {};
  if (!req.isMultipart()) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    checkCsrf(req, typeof body._csrf === 'string' ? body._csrf : req.headers['x-csrf-token']);
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string') fields[k] = v;
    return { fields, files: [], refusal: null };
  }
  let csrfChecked = typeof req.headers['x-csrf-token'] === 'string'; // checked by the kernel's preHandler
  const files: UploadedFile[] = [];
  let total = 0;
  let current = '';
  try {
    for await (const part of req.parts({
      limits: { fileSize: MAX_FILE_BYTES, files: MAX_FILES, fields: 20, parts: MAX_FILES + 20, fieldSize: FIELD_BYTES },
    })) {
      if (!csrfChecked) {
        checkCsrf(req, part.type === 'field' && part.fieldname === '_csrf' ? part.value : undefined);
        csrfChecked = true;
        continue;
      }
      if (part.type === 'field') {
        if (part.valueTruncated) throw new HttpError(400, 'badRequest');
        if (typeof part.value === 'string' && !(part.fieldname in fields)) fields[part.fieldname] = part.value;
        continue;
      }
      current = safeFileName(part.filename, null);
      if (part.fieldname !== fileField) throw new HttpError(400, 'badRequest');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of part.file as AsyncIterable<Buffer>) {
        size += chunk.length;
        total += chunk.length;
        if (total > MAX_MESSAGE_BYTES) throw new AttachmentRefused('total', current);
        chunks.push(chunk);
      }
      if (part.file.truncated) throw new AttachmentRefused('size', current);
      // A file field left empty sends a part without name or bytes.
      if (part.filename === '' && size === 0) continue;
      files.push({ name: part.filename, data: Buffer.concat(chunks, size) });
    }
  } catch (err) {
    // Refused part way: the rest of the body is still on its way. Read and drop it, or the keep-alive connection
    // would carry those bytes into the next request on it, which then waits for headers that never come.
    discardRest(req);
    if (err instanceof AttachmentRefused) return { fields, files: [], refusal: err };
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      return { fields, files: [], refusal: new AttachmentRefused('size', current) };
    if (code === 'FST_FILES_LIMIT') return { fields, files: [], refusal: new AttachmentRefused('count', '') };
    if (err instanceof HttpError) throw err;
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new HttpError(413, 'tooLarge');
    // Malformed multipart: a bad request, not a server error (its details stay out of the answer).
    throw new HttpError(400, 'badRequest');
  }
  if (!csrfChecked) checkCsrf(req, undefined);
  return { fields, files, refusal: null };
}

/** Drops what is left of a request body that will not be read (bounded by the server's request timeout). */
function discardRest(req: FastifyRequest): void {
  const raw = req.raw;
  if (raw.readableEnded) return;
  raw.unpipe();
  raw.resume();
}
