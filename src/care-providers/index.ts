// The organisations a citizen has a care relationship with, as the citizen's pages show them. No routes of its own.
import { defineCapability } from '../platform/capability.js';
import { careProviderMessages } from './messages.js';

export { activeCareProviders, hasActiveCareRelationship, KIND_ORDER, type CareProvider } from './care-providers.js';
export { CareProviderList } from './views.js';

export const careProviders = defineCapability({
  name: 'care-providers',
  messages: [careProviderMessages],
  register: () => undefined,
});
