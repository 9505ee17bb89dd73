// E-mail notifications (issue 14, MG-10) and the citizen's contact details (PZ-3): the settings page with the
// citizen's e-mail address (confirmed by a link before use), phone number, eleven switches and the language of the
// mails; the mail jobs that send at the event's moment, through SMTP or — without one, outside production — into the
// dev outbox. Other capabilities queue a mail with queueNotification (events.ts) or, in SQL,
// koepel_enqueue_job('email.notification', jsonb_build_object('citizenId', …, 'event', …)).
import { defineCapability } from '../platform/capability.js';
import { EMAIL_NOTIFICATION_JOB } from './events.js';
import { CONFIRM_ADDRESS_JOB, confirmAddressHandler, notificationHandler } from './handler.js';
import { createMailer, DevOutbox } from './mailer.js';
import { notificationMessages } from './messages.js';
import { registerSettingsRoutes } from './routes.js';

export { EMAIL_NOTIFICATION_JOB, NOTIFICATION_EVENTS, queueNotification, type NotificationEvent } from './events.js';
export { CONFIRM_ADDRESS_JOB } from './handler.js';
export { DEFAULT_EVENTS } from './settings.js';
export { scheduleAlmostFinished } from './sources/medicines.js';

export const notifications = defineCapability({
  name: 'notifications',
  messages: [notificationMessages],
  navigation: [{ area: 'citizen', href: '/settings/notifications', label: 'notifications.nav', order: 50 }],
  register(app) {
    const config = app.koepel.config;
    // The handlers need this deployment's mailer and portal, so they are added here rather than in `jobs`.
    const mailer = createMailer(config);
    const portal = () => ({ name: app.koepel.portals.current().name, publicUrl: config.publicUrl });
    app.koepel.jobs.add(EMAIL_NOTIFICATION_JOB, notificationHandler(mailer, portal));
    app.koepel.jobs.add(CONFIRM_ADDRESS_JOB, confirmAddressHandler(mailer, portal));
    app.addHook('onClose', async () => mailer.close());
    registerSettingsRoutes(app, mailer instanceof DevOutbox ? mailer : null);
  },
});
