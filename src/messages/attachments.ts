// Attachments of messages (MG-9). What is accepted, the limits and the content check (magic bytes, PDF active
// content, nothing after the file's own end) are the kernel's src/platform/files/content.ts, the same check the
// organisation's system passes over FHIR Communication (src/fhir/communications.ts). Here: the portal's wrapper that
// names the refused file for the sender. The multipart reader stops an upload as soon as a limit is passed, while it
// streams (multipart.ts).
import { checkFileContent, safeFileName, type FileRefusal, type FileType } from '../platform/files/content.js';

export {
  ACCEPT,
  contentDisposition,
  MAX_FILE_BYTES,
  MAX_FILES,
  MAX_MESSAGE_BYTES,
  safeFileName,
} from '../platform/files/content.js';

export type AttachmentType = FileType;

export type AttachmentRefusal = FileRefusal | 'count' | 'total';

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

/** Checks one uploaded file; throws AttachmentRefused. */
export async function checkAttachment(name: string, data: Buffer): Promise<CheckedAttachment> {
  const checked = await checkFileContent(data);
  if (!checked.ok) throw new AttachmentRefused(checked.reason, safeFileName(name, null));
  return { contentType: checked.type, fileName: safeFileName(name, checked.type), data };
}
