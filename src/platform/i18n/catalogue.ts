// The message catalogue: every capability's messages merged. Keys are namespaced by capability.
import { platformMessages } from '../web/messages.js';
import { identityMessages } from '../../identity/messages.js';
import { simulatorMessages } from '../../digid-simulator/messages.js';
import { careProviderMessages } from '../../care-providers/messages.js';
import { homeMessages } from '../../citizen-home/messages.js';
import { staffMessages } from '../../staff/messages.js';
import { patientMessages } from '../../patients/messages.js';
import { operatorMessages } from '../../operator/messages.js';
import { dossierMessages } from '../../dossier/messages.js';
import { accessLogMessages } from '../../access-log/messages.js';
import { apiClientMessages } from '../../api-clients/messages.js';
import { patientRecordMessages } from '../../patients/record-messages.js';
import { recordRequestMessages } from '../../record-requests/messages.js';
import { organisationAdminMessages } from '../../organisation-admin/messages.js';
import { citizenAppMessages } from '../../citizen-apps/messages.js';
import { citizenAppOperatorMessages } from '../../citizen-apps/operator-messages.js';
import { demoPgoMessages } from '../../demo/pgo-messages.js';

const nl = {
  ...platformMessages.nl,
  ...identityMessages.nl,
  ...simulatorMessages.nl,
  ...careProviderMessages.nl,
  ...homeMessages.nl,
  ...staffMessages.nl,
  ...patientMessages.nl,
  ...operatorMessages.nl,
  ...dossierMessages.nl,
  ...accessLogMessages.nl,
  ...apiClientMessages.nl,
  ...patientRecordMessages.nl,
  ...recordRequestMessages.nl,
  ...organisationAdminMessages.nl,
  ...citizenAppMessages.nl,
  ...citizenAppOperatorMessages.nl,
  ...demoPgoMessages.nl,
};

export type MessageKey = keyof typeof nl;

const en: Partial<Record<MessageKey, string>> = {
  ...platformMessages.en,
  ...identityMessages.en,
  ...simulatorMessages.en,
  ...careProviderMessages.en,
  ...homeMessages.en,
  ...staffMessages.en,
  ...patientMessages.en,
  ...operatorMessages.en,
  ...dossierMessages.en,
  ...accessLogMessages.en,
  ...apiClientMessages.en,
  ...patientRecordMessages.en,
  ...recordRequestMessages.en,
  ...organisationAdminMessages.en,
  ...citizenAppMessages.en,
  ...citizenAppOperatorMessages.en,
  ...demoPgoMessages.en,
};

export const catalogue: { nl: Record<MessageKey, string>; en: Partial<Record<MessageKey, string>> } = { nl, en };
