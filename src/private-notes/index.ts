// Private notes (issue 13, LU-3): notes a citizen writes for themselves — about an appointment, a result, or
// nothing in particular — that only they can read. Sealed under the citizen's own notes key (migration 0031), which
// no staff role, operator, privacy officer, provider system or app can read.
import { defineCapability } from '../platform/capability.js';
import { noteMessages } from './messages.js';
import { registerNoteRoutes } from './routes.js';

// For the pages of other capabilities that show "your notes" about what they show (src/appointments, src/dossier),
// and for account deletion (shredNotes).
export { notesAbout, shredNotes, type NoteLink, type PrivateNote } from './notes.js';
export { NotesHere } from './views.js';

export const privateNotes = defineCapability({
  name: 'private-notes',
  messages: [noteMessages],
  navigation: [{ area: 'citizen', href: '/notes', label: 'notes.nav', order: 22 }],
  register: registerNoteRoutes,
});
