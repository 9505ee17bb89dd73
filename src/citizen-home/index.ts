// The citizen's home page: their care providers, personal data from the BRP, what is new, the next appointments.
import { defineCapability } from '../platform/capability.js';
import { homeMessages } from './messages.js';
import { registerCitizenHome } from './routes.js';

export const citizenHome = defineCapability({
  name: 'citizen-home',
  messages: [homeMessages],
  navigation: [{ area: 'citizen', href: '/home', label: 'home.nav', order: 10 }],
  register: registerCitizenHome,
});
