// The message catalogue: every capability's messages merged. Keys are namespaced by capability.
import { platformMessages } from '../web/messages.js';

const nl = {
  ...platformMessages.nl,
};

export type MessageKey = keyof typeof nl;

const en: Partial<Record<MessageKey, string>> = {
  ...platformMessages.en,
};

export const catalogue: { nl: Record<MessageKey, string>; en: Partial<Record<MessageKey, string>> } = { nl, en };
