// Issue 14 (MG-10), the source of 'medicines-almost-finished': the pharmacy's system sends a MedicationDispense
// over FHIR with how long it lasts (daysSupply) and when it was handed over. The supply ends at handed-over +
// daysSupply; the citizen hears ALMOST_FINISHED_DAYS before that, as a job with run_at then. The supply is in the
// encrypted resource, so no SQL trigger can see it: the FHIR ingest calls this in its transaction, with the
// resource it is about to store. One reminder per dispense (key by its row id): a changed dispense moves the queued
// reminder, one without a supply (or whose moment has passed) drops it. Never a reminder in the past.
import type { Tx } from '../../platform/db/principal.js';
import { rescheduleJob } from '../../platform/jobs/queue.js';
import { EMAIL_NOTIFICATION_JOB, queueNotification } from '../events.js';

/** Days before the supply ends that the citizen is told. */
export const ALMOST_FINISHED_DAYS = 7;

const DAY_MS = 86_400_000;
const UNIT_DAYS: Record<string, number> = { d: 1, day: 1, days: 1, dag: 1, dagen: 1, wk: 7, week: 7, weeks: 7 };

/** When the supply of a dispense runs out, or null when the resource does not say. */
export function supplyEnd(resource: Record<string, unknown>): Date | null {
  const handed = resource.whenHandedOver ?? resource.whenPrepared;
  if (typeof handed !== 'string') return null;
  const start = Date.parse(handed);
  if (Number.isNaN(start)) return null;
  const supply = resource.daysSupply as { value?: unknown; code?: unknown; unit?: unknown } | undefined;
  if (!supply || typeof supply.value !== 'number' || !(supply.value > 0) || supply.value > 3650) return null;
  const named = typeof supply.code === 'string' ? supply.code : typeof supply.unit === 'string' ? supply.unit : 'd';
  const unit = named.toLowerCase();
  const factor = UNIT_DAYS[unit];
  if (factor === undefined) return null;
  return new Date(start + supply.value * factor * DAY_MS);
}

/** When to remind, or null: no supply stated, or the moment has passed. */
export function almostFinishedAt(resource: Record<string, unknown>, now = new Date()): Date | null {
  const end = supplyEnd(resource);
  if (!end) return null;
  const at = new Date(end.getTime() - ALMOST_FINISHED_DAYS * DAY_MS);
  return at.getTime() > now.getTime() ? at : null;
}

/** Queues, moves or drops the reminder of stored MedicationDispense resources, in the ingest's transaction. */
export async function scheduleAlmostFinished(
  tx: Tx,
  organisationId: string,
  dispenses: readonly { id: string; citizenId: string; resource: Record<string, unknown> }[],
  now = new Date(),
): Promise<void> {
  for (const d of dispenses) {
    const key = `medicines-almost-finished:${d.id}`;
    const at = almostFinishedAt(d.resource, now);
    if (!at) {
      await rescheduleJob(tx, EMAIL_NOTIFICATION_JOB, key, null);
      continue;
    }
    const queued = await queueNotification(tx, d.citizenId, 'medicines-almost-finished', {
      organisationId,
      key,
      runAt: at,
    });
    if (queued === null) await rescheduleJob(tx, EMAIL_NOTIFICATION_JOB, key, at);
  }
}
