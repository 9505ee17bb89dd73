// The e-mail notification events (issue 14, MG-10): one switch per event on the citizen's settings page. Code and
// database triggers that cause an event queue a job of kind EMAIL_NOTIFICATION_JOB with the citizen's id and the
// event's name; the job's handler decides at send time whether a mail goes out (the switch, a confirmed address) and
// renders it in the citizen's language without medical content.
import type { Tx } from '../platform/db/principal.js';
import { enqueueJob, type EnqueueOptions } from '../platform/jobs/queue.js';

export const NOTIFICATION_EVENTS = [
  'message-from-provider',
  'question-answered',
  'record-changed',
  'new-test-result',
  'medicines-almost-finished',
  'medication-request',
  'medicines-repeated',
  'contract-ended',
  'appointment-made',
  'appointment-changed',
  'appointment-soon',
] as const;

export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** Job kind; payload { citizenId, event, organisationId? }. SQL triggers queue it with koepel_enqueue_job. */
export const EMAIL_NOTIFICATION_JOB = 'email.notification';

export function isNotificationEvent(value: unknown): value is NotificationEvent {
  return typeof value === 'string' && (NOTIFICATION_EVENTS as readonly string[]).includes(value);
}

/** Queues the e-mail for one event in the caller's transaction (it goes only if the citizen's switch is on then). */
export function queueNotification(
  tx: Tx,
  citizenId: string,
  event: NotificationEvent,
  options: EnqueueOptions & { organisationId?: string } = {},
): Promise<string | null> {
  const { organisationId, ...enqueue } = options;
  return enqueueJob(
    tx,
    EMAIL_NOTIFICATION_JOB,
    { citizenId, event, ...(organisationId ? { organisationId } : {}) },
    enqueue,
  );
}
