// The citizen's notification settings (issue 14, MG-10 and PZ-3): the e-mail address (confirmed by a link before it is
// used), the phone number, one switch per event and the language of the mails. Every function here runs as the
// citizen in their own session and audits before it reads or writes (koepel_audited). Addresses, the phone number and
// the confirmation token are sealed under the citizen's own key; the token is looked up by its SHA-256 only.
import { createHash, randomBytes } from 'node:crypto';
import type { DataScope } from '../platform/db/scope.js';
import { NOTIFICATION_EVENTS, isNotificationEvent, type NotificationEvent } from './events.js';

/** How long a confirmation link works. */
export const CONFIRM_TTL_MS = 24 * 3_600_000;

/**
 * Switched on until the citizen says otherwise: everything that asks for the citizen's attention or action. "My record
 * changed" is off: it fires for every change a care provider's system makes, and the other events cover what matters.
 */
export const DEFAULT_EVENTS: readonly NotificationEvent[] = NOTIFICATION_EVENTS.filter((e) => e !== 'record-changed');

export type MailLanguage = 'nl' | 'en';

// The citizen's own columns use the AADs of src/identity/citizens.ts (aad.email, aad.phone): the same strings here.
export const aad = {
  email: (citizenId: string) => `citizen.email:${citizenId}`,
  pendingEmail: (citizenId: string) => `notification.pending-email:${citizenId}`,
  confirmToken: (citizenId: string) => `notification.confirm-token:${citizenId}`,
  phone: (citizenId: string) => `citizen.phone:${citizenId}`,
};

export interface NotificationSettings {
  email: string | null;
  pendingEmail: string | null;
  pendingExpiresAt: Date | null;
  phone: string | null;
  events: NotificationEvent[];
  language: MailLanguage;
  bouncing: boolean;
}

const EMAIL_MAX = 254;

/** A trimmed, syntactically plain address (one @, a dotted domain, no spaces, quotes or angle brackets), or null. */
export function parseEmail(input: string): string | null {
  const v = input.trim();
  if (v.length < 6 || v.length > EMAIL_MAX) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f<>"'(),;:\\[\]]/.test(v)) return null;
  const at = v.lastIndexOf('@');
  if (at < 1 || v.indexOf('@') !== at) return null;
  const local = v.slice(0, at);
  const domain = v.slice(at + 1).toLowerCase();
  if (local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return null;
  if (!/^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain)) return null;
  return `${local}@${domain}`;
}

/** A phone number: digits with an optional leading +, spaces, dashes and brackets allowed; 8–15 digits. */
export function parsePhone(input: string): string | null {
  const v = input.trim();
  if (v.length > 30 || !/^\+?[0-9 ()-]+$/.test(v)) return null;
  const digits = v.replace(/[^0-9]/g, '');
  if (digits.length < 8 || digits.length > 15) return null;
  return (v.startsWith('+') ? '+' : '') + digits;
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function citizenOf(scope: DataScope): string {
  if (scope.principal.kind !== 'citizen') throw new Error('notification settings are the citizen’s own');
  return scope.principal.citizenId;
}

const owner = (id: string) => ({ kind: 'citizen' as const, id });

async function row(scope: DataScope, citizenId: string) {
  return scope.tx.selectFrom('notification_setting').selectAll().where('citizen_id', '=', citizenId).executeTakeFirst();
}

/** The citizen's settings (defaults where they saved nothing). */
export async function readSettings(scope: DataScope): Promise<NotificationSettings> {
  const id = citizenOf(scope);
  await scope.audit({ event: 'citizen.notifications.view', action: 'R', citizenId: id });
  const r = await row(scope, id);
  const c = await scope.tx.selectFrom('citizen').select('phone_ciphertext').where('id', '=', id).executeTakeFirst();
  const open = (ct: Uint8Array | null | undefined, a: string) =>
    ct ? scope.keys.decrypt(scope.tx, owner(id), ct, a) : Promise.resolve(null);
  const expires = r?.confirm_expires_at ?? null;
  const live = expires !== null && expires.getTime() > Date.now();
  return {
    email: await open(r?.email_ciphertext, aad.email(id)),
    pendingEmail: live ? await open(r?.pending_email_ciphertext, aad.pendingEmail(id)) : null,
    pendingExpiresAt: live ? expires : null,
    phone: await open(c?.phone_ciphertext, aad.phone(id)),
    events: r ? r.events.filter(isNotificationEvent) : [...DEFAULT_EVENTS],
    language: r?.language === 'en' ? 'en' : 'nl',
    bouncing: r?.bouncing_since != null,
  };
}

/** Makes sure the citizen has a row (with the defaults), after an audit record. */
async function ensureRow(scope: DataScope, id: string, language: MailLanguage): Promise<void> {
  await scope.tx
    .insertInto('notification_setting')
    .values({ citizen_id: id, events: [...DEFAULT_EVENTS], language })
    .onConflict((oc) => oc.column('citizen_id').doNothing())
    .execute();
}

/**
 * Records a new or changed address as pending and returns the confirmation token (to be mailed by the
 * 'email.confirm-address' job, which the caller queues). The confirmed address, if any, stays in use until then.
 */
export async function supplyEmail(scope: DataScope, email: string, language: MailLanguage): Promise<string> {
  const id = citizenOf(scope);
  await scope.audit({ event: 'citizen.notifications.email.supply', action: 'U', citizenId: id });
  await ensureRow(scope, id, language);
  const token = randomBytes(32).toString('base64url');
  await scope.tx
    .updateTable('notification_setting')
    .set({
      pending_email_ciphertext: await scope.keys.encrypt(scope.tx, owner(id), email, aad.pendingEmail(id)),
      confirm_token_hash: tokenHash(token),
      confirm_token_ciphertext: await scope.keys.encrypt(scope.tx, owner(id), token, aad.confirmToken(id)),
      confirm_expires_at: new Date(Date.now() + CONFIRM_TTL_MS),
      updated_at: new Date(),
    })
    .where('citizen_id', '=', id)
    .execute();
  return token;
}

/**
 * Confirms the pending address the token was mailed for: it becomes the address in use. False when the token is not
 * this citizen's current one, was used already, or has expired (nothing changes then).
 */
export async function confirmEmail(scope: DataScope, token: string): Promise<boolean> {
  const id = citizenOf(scope);
  await scope.audit({ event: 'citizen.notifications.email.confirm', action: 'U', citizenId: id });
  const r = await scope.tx
    .selectFrom('notification_setting')
    .select(['pending_email_ciphertext', 'confirm_expires_at'])
    .where('citizen_id', '=', id)
    .where('confirm_token_hash', '=', tokenHash(token))
    .executeTakeFirst();
  if (!r?.pending_email_ciphertext || !r.confirm_expires_at || r.confirm_expires_at.getTime() <= Date.now()) {
    return false;
  }
  const email = await scope.keys.decrypt(scope.tx, owner(id), r.pending_email_ciphertext, aad.pendingEmail(id));
  await scope.tx
    .updateTable('notification_setting')
    .set({
      email_ciphertext: await scope.keys.encrypt(scope.tx, owner(id), email, aad.email(id)),
      pending_email_ciphertext: null,
      confirm_token_hash: null,
      confirm_token_ciphertext: null,
      confirm_expires_at: null,
      bouncing_since: null,
      updated_at: new Date(),
    })
    .where('citizen_id', '=', id)
    .execute();
  return true;
}

/** Removes the address in use and any pending one: no more mail. */
export async function removeEmail(scope: DataScope): Promise<void> {
  const id = citizenOf(scope);
  await scope.audit({ event: 'citizen.notifications.email.remove', action: 'D', citizenId: id });
  await scope.tx
    .updateTable('notification_setting')
    .set({
      email_ciphertext: null,
      pending_email_ciphertext: null,
      confirm_token_hash: null,
      confirm_token_ciphertext: null,
      confirm_expires_at: null,
      bouncing_since: null,
      updated_at: new Date(),
    })
    .where('citizen_id', '=', id)
    .execute();
}

/** Stores (phone a string) or removes (null) the phone number, in citizen.phone_ciphertext. */
export async function setPhone(scope: DataScope, phone: string | null): Promise<void> {
  const id = citizenOf(scope);
  await scope.audit({
    event: `citizen.notifications.phone.${phone ? 'set' : 'remove'}`,
    action: phone ? 'U' : 'D',
    citizenId: id,
  });
  const ct = phone ? await scope.keys.encrypt(scope.tx, owner(id), phone, aad.phone(id)) : null;
  const result = await scope.tx
    .updateTable('citizen')
    .set({ phone_ciphertext: ct })
    .where('id', '=', id)
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n) throw new Error('the phone number was not written');
}

/** Saves the switches and the language of the mails. */
export async function saveSwitches(
  scope: DataScope,
  events: readonly NotificationEvent[],
  language: MailLanguage,
): Promise<void> {
  const id = citizenOf(scope);
  await scope.audit({ event: 'citizen.notifications.switches', action: 'U', citizenId: id });
  await ensureRow(scope, id, language);
  await scope.tx
    .updateTable('notification_setting')
    .set({ events: NOTIFICATION_EVENTS.filter((e) => events.includes(e)), language, updated_at: new Date() })
    .where('citizen_id', '=', id)
    .execute();
}
