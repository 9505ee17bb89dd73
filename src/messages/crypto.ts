// What is sealed and under which AAD (migration 0029 lists the same strings): every text a citizen or an employee
// writes in a conversation, and every attachment's name and content, under the organisation's data key.
import type { DataScope } from '../platform/http/request-context.js';

export const aad = {
  subject: (conversationId: string) => `conversation.subject:${conversationId}`,
  body: (messageId: string) => `message.body:${messageId}`,
  fileName: (attachmentId: string) => `message_attachment.name:${attachmentId}`,
  content: (attachmentId: string) => `message_attachment.content:${attachmentId}`,
  note: (noteId: string) => `conversation_note.body:${noteId}`,
} as const;

const org = (id: string) => ({ kind: 'organisation' as const, id });

export function sealText(scope: DataScope, organisationId: string, text: string, aadText: string): Promise<Buffer> {
  return scope.keys.encrypt(scope.tx, org(organisationId), text, aadText);
}

export async function sealBytes(
  scope: DataScope,
  organisationId: string,
  data: Uint8Array,
  aadText: string,
): Promise<Buffer> {
  const handle = await scope.keys.handle(scope.tx, org(organisationId));
  return handle.seal(data, aadText);
}

export function openText(scope: DataScope, organisationId: string, sealed: Uint8Array, aadText: string) {
  return scope.keys.decrypt(scope.tx, org(organisationId), sealed, aadText);
}

export function openBytes(scope: DataScope, organisationId: string, sealed: Uint8Array, aadText: string) {
  return scope.keys.decryptBytes(scope.tx, org(organisationId), sealed, aadText);
}
