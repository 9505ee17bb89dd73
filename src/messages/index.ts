// Secure messages (issue 13, MG-9; MG-1 'messages'; ZL-10 messages:read): conversations between a citizen and an
// organisation (optionally addressed to a named employee), with attachments checked by content and stored
// encrypted; the citizen's pages (routes.tsx) and the staff inbox (staff-routes.tsx). Schema, policies and the
// bookkeeping triggers: migration 0029.
//
// For other capabilities:
//   startConversation(scope, { organisationId, citizenId, subject, body, about? })  — staff open a thread with a
//     citizen (repeat medication's "ask a question"); returns the conversation id.
//   The organisation's system (FHIR Communication) appends a message with a plain insert into
//     conversation_message (sender 'system', body sealed with `sealMessageBody`), in a transaction that audited the
//     citizen: the database's trigger keeps the conversation's status and unread counters. `messageAad` lists every
//     sealed column's AAD, `MESSAGE_TEXT_MAX` the longest text; src/fhir (Communication) uses both, so that a
//     sealed text reads back whichever side wrote it and both sides accept the same texts. Files are checked by the
//     kernel's src/platform/files/content.ts, on both sides.
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { PERMISSIONS } from '../platform/auth/permissions.js';
import { defineCapability } from '../platform/capability.js';
import type { DataScope } from '../platform/http/request-context.js';
import { MAX_FILE_BYTES, MAX_FILES } from './attachments.js';
import { citizenUnreadCount, staffBadgeCount } from './conversations.js';
import { aad, openText, sealText } from './crypto.js';
import { messageMessages } from './messages.js';
import { registerCitizenRoutes } from './routes.js';
import { registerStaffRoutes } from './staff-routes.js';
import { unreadSystemMessages } from '../system-messages/index.js';

export {
  startConversation,
  conversationAbout,
  checkFiles,
  type ConversationStatus,
  type Sender,
} from './conversations.js';
export { checkAttachment, contentDisposition, AttachmentRefused, MAX_FILE_BYTES, MAX_FILES } from './attachments.js';
export { aad as messageAad } from './crypto.js';
export { BODY_MAX as MESSAGE_TEXT_MAX } from './conversations.js';

/** Seals a message body for `conversation_message.body` (AAD 'message.body:<message id>'). */
export function sealMessageBody(scope: DataScope, organisationId: string, messageId: string, body: string) {
  return sealText(scope, organisationId, body, aad.body(messageId));
}

/** Opens a sealed message body. */
export function openMessageBody(scope: DataScope, organisationId: string, messageId: string, sealed: Uint8Array) {
  return openText(scope, organisationId, sealed, aad.body(messageId));
}

async function citizenBadge(req: FastifyRequest): Promise<number | null> {
  if (req.principal.kind !== 'citizen') return null;
  // Unread conversations and unread system messages: one link "Berichten" for both tabs.
  const n = (await req.withData(citizenUnreadCount)) + ((await unreadSystemMessages(req)) ?? 0);
  return n > 0 ? n : null;
}

async function staffBadge(req: FastifyRequest): Promise<number | null> {
  const p = req.principal;
  if (p.kind !== 'staff' || !p.permissions.includes(PERMISSIONS.messagesRead)) return null;
  const n = await req.withData(staffBadgeCount);
  return n > 0 ? n : null;
}

export const messages = defineCapability({
  name: 'messages',
  messages: [messageMessages],
  navigation: [
    {
      area: 'citizen',
      href: '/messages',
      label: 'messages.nav',
      order: 17,
      badge: citizenBadge,
      badgeLabel: 'messages.navCount',
    },
    {
      area: 'staff',
      href: '/staff/messages',
      label: 'messages.staff.nav',
      order: 12,
      permissions: [PERMISSIONS.messagesRead],
      functions: ['messages'],
      badge: staffBadge,
      badgeLabel: 'messages.staff.navCount',
    },
    {
      area: 'staff',
      href: '/staff/messages/settings',
      label: 'messages.staff.adminNav',
      order: 36,
      permissions: [PERMISSIONS.adminOrganisation],
      functions: ['messages'],
    },
  ],
  async register(app) {
    // Only in this capability's scope: multipart bodies are parsed nowhere else. Limits are applied again per
    // request by the streaming reader (multipart.ts); these are the ceiling.
    await app.register(multipart, {
      limits: { fileSize: MAX_FILE_BYTES, files: MAX_FILES, fields: 20, parts: MAX_FILES + 20, fieldSize: 100_000 },
    });
    registerCitizenRoutes(app);
    registerStaffRoutes(app);
  },
});
