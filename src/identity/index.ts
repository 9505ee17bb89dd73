// Citizen identity: DigiD login (OpenID Connect), the BRP as identity source, the citizen row with its encrypted BSN
// and BRP snapshot, and logout for everyone. What other capabilities may use is exported here.
import { defineCapability } from '../platform/capability.js';
import { identityMessages } from './messages.js';
import { registerIdentity } from './routes.js';

export { parseBsn, isValidBsn, type Bsn } from './bsn.js';
export { bsnIndex, displayName, insertCitizen, normaliseName, readBrpSnapshot } from './citizens.js';
export { FIXTURE_PERSONS, type BrpPerson } from './brp/fixture-persons.js';
export {
  birthDateColumns,
  birthDateIso,
  birthDateOf,
  fullIsoDate,
  greetingName,
  mayDiscloseBrpData,
  residence,
  type BirthDate,
  type BirthDatePrecision,
  type Residence,
} from './brp/person.js';
export { DIGID_LEVELS, levelByKey, MINIMUM_LEVEL, type DigidLevel } from './digid/levels.js';
export { DIGID_CALLBACK_PATH } from './digid/oidc-client.js';

export const identity = defineCapability({
  name: 'identity',
  messages: [identityMessages],
  register: registerIdentity,
});
