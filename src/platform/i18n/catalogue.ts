// The message catalogue: every capability's messages merged. Keys are namespaced by capability.
import { platformMessages } from '../web/messages.js';
import { staffMessages } from '../../staff/messages.js';
import { patientMessages } from '../../patients/messages.js';
import { operatorMessages } from '../../operator/messages.js';

const nl = {
  ...platformMessages.nl,
  ...staffMessages.nl,
  ...patientMessages.nl,
  ...operatorMessages.nl,
};

export type MessageKey = keyof typeof nl;

const en: Partial<Record<MessageKey, string>> = {
  ...platformMessages.en,
  ...staffMessages.en,
  ...patientMessages.en,
  ...operatorMessages.en,
};

export const catalogue: { nl: Record<MessageKey, string>; en: Partial<Record<MessageKey, string>> } = { nl, en };
