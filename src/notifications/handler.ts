// The mail jobs (issue 14, MG-10, PZ-3). At send time, as system purpose 'email': read the citizen's confirmed
// address, the event's switch and the language; skip silently (job done) when the switch is off or there is no
// confirmed address; otherwise render the template and send it. Reading the address writes an audit record naming
// the citizen. SMTP errors throw, so the queue retries with back-off; a 5xx refusal on the last attempt marks the
// address in use as bouncing (shown on the settings page) and the job is dead; a refused confirmation mail only dies.
import { z } from 'zod';
import type { DataScope } from '../platform/db/scope.js';
import { PermanentJobError, type Job } from '../platform/jobs/queue.js';
import type { JobContext, JobHandler } from '../platform/jobs/worker.js';
import { isNotificationEvent } from './events.js';
import { isPermanentRejection, type Mailer } from './mailer.js';
import { aad, DEFAULT_EVENTS, type MailLanguage } from './settings.js';
import { renderConfirmation, renderNotification, type PortalIdentity, type RenderedMail } from './templates.js';

/** Job kind of the confirmation mail for a new address; payload { citizenId }. */
export const CONFIRM_ADDRESS_JOB = 'email.confirm-address';

const citizenIdSchema = z.uuid();

interface Target {
  to: string;
  language: MailLanguage;
}

function citizenOf(job: Job): string {
  const parsed = citizenIdSchema.safeParse(job.payload.citizenId);
  if (!parsed.success) throw new PermanentJobError('bad-payload');
  return parsed.data.toLowerCase();
}

function messageId(job: Job, portal: PortalIdentity): string {
  const host = new URL(portal.publicUrl).hostname || 'koepel.invalid';
  return `<koepel-job-${job.id}@${host}>`;
}

async function send(
  mailer: Mailer,
  job: Job,
  ctx: JobContext,
  citizenId: string,
  to: string,
  mail: RenderedMail,
  portal: PortalIdentity,
  markBounce: boolean,
) {
  try {
    await mailer.send({ to, ...mail, messageId: messageId(job, portal) });
  } catch (err) {
    if (markBounce && isPermanentRejection(err) && job.attempt >= job.maxAttempts) {
      await ctx.asSystem('email', (scope) =>
        scope.tx
          .updateTable('notification_setting')
          .set({ bouncing_since: new Date() })
          .where('citizen_id', '=', citizenId)
          .where('bouncing_since', 'is', null)
          .execute(),
      );
    }
    // Only the server's reply code reaches the job row: never the address or the server's text.
    const code = (err as { responseCode?: unknown }).responseCode;
    const kind = (err as { code?: unknown }).code;
    throw Object.assign(new Error('smtp'), {
      name: 'SmtpError',
      code: typeof code === 'number' ? code : typeof kind === 'string' ? kind.slice(0, 40) : 'unknown',
    });
  }
}

async function audited(scope: DataScope, citizenId: string, event: string): Promise<void> {
  await scope.audit({ event, action: 'R', citizenId, resourceType: 'notification_setting' });
}

export function notificationHandler(mailer: Mailer, portal: () => PortalIdentity): JobHandler {
  return async (job, ctx) => {
    const citizenId = citizenOf(job);
    const event = job.payload.event;
    if (!isNotificationEvent(event)) throw new PermanentJobError('bad-event');
    const target = await ctx.asSystem('email', async (scope): Promise<Target | null> => {
      const r = await scope.tx
        .selectFrom('notification_setting')
        .select(['email_ciphertext', 'events', 'language'])
        .where('citizen_id', '=', citizenId)
        .executeTakeFirst();
      const on = (r?.events ?? DEFAULT_EVENTS).includes(event);
      if (!r?.email_ciphertext || !on) return null;
      await audited(scope, citizenId, 'email.notification.address');
      const to = await scope.keys.decrypt(
        scope.tx,
        { kind: 'citizen', id: citizenId },
        r.email_ciphertext,
        aad.email(citizenId),
      );
      return { to, language: r.language === 'en' ? 'en' : 'nl' };
    });
    if (!target) return;
    const p = portal();
    await send(mailer, job, ctx, citizenId, target.to, renderNotification(event, target.language, p), p, true);
  };
}

export function confirmAddressHandler(mailer: Mailer, portal: () => PortalIdentity): JobHandler {
  return async (job, ctx) => {
    const citizenId = citizenOf(job);
    const target = await ctx.asSystem('email', async (scope) => {
      const r = await scope.tx
        .selectFrom('notification_setting')
        .select(['pending_email_ciphertext', 'confirm_token_ciphertext', 'confirm_expires_at', 'language'])
        .where('citizen_id', '=', citizenId)
        .executeTakeFirst();
      // Confirmed, removed or expired meanwhile: nothing to send.
      if (!r?.pending_email_ciphertext || !r.confirm_token_ciphertext || !r.confirm_expires_at) return null;
      if (r.confirm_expires_at.getTime() <= Date.now()) return null;
      await audited(scope, citizenId, 'email.confirm-address.address');
      const owner = { kind: 'citizen' as const, id: citizenId };
      return {
        to: await scope.keys.decrypt(scope.tx, owner, r.pending_email_ciphertext, aad.pendingEmail(citizenId)),
        token: await scope.keys.decrypt(scope.tx, owner, r.confirm_token_ciphertext, aad.confirmToken(citizenId)),
        language: r.language === 'en' ? ('en' as const) : ('nl' as const),
      };
    });
    if (!target) return;
    const p = portal();
    await send(mailer, job, ctx, citizenId, target.to, renderConfirmation(target.language, p, target.token), p, false);
  };
}
