// Two-step verification for staff (ZL-3): TOTP as in RFC 6238 — SHA-1, 6 digits, 30-second steps, one step of
// clock drift either way. A code's time step can be used once: staff_account.totp_last_step only goes up, so a
// code seen over someone's shoulder (or replayed from a log) is refused.
// The secret is stored wrapped by the master key (AES-256-GCM, key version in the ciphertext, so it survives a
// master key rotation), with additional data binding it to the staff account so it cannot be moved to another.
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { sql } from 'kysely';
import { z } from 'zod';
import type { KeyStore } from '../platform/crypto/keys.js';
import type { Tx } from '../platform/db/principal.js';

const PERIOD = 30;
const DIGITS = 6;
const WINDOW = 1;

/** 'stored': the confirmed secret in staff_account; 'pending': a secret shown for enrolment, kept in the session
 * until confirmed. Different additional data, so one can never be passed off as the other. */
export type SecretPlace = 'stored' | 'pending';
const aad = (staffId: string, place: SecretPlace) => `staff.totp.${place}:${staffId}`;

export function newTotpSecret(): Uint8Array {
  return new Secret({ size: 20 }).bytes;
}

export function sealTotpSecret(
  keys: KeyStore,
  staffId: string,
  secret: Uint8Array,
  place: SecretPlace = 'stored',
): Buffer {
  return keys.master.wrap(secret, aad(staffId, place));
}

export function openTotpSecret(
  keys: KeyStore,
  staffId: string,
  ciphertext: Uint8Array,
  place: SecretPlace = 'stored',
): Uint8Array {
  return keys.master.unwrap(ciphertext, aad(staffId, place));
}

function totp(secret: Uint8Array, issuer = 'Koepel', label = 'Koepel'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD,
    secret: new Secret({ buffer: Uint8Array.from(secret).buffer }),
  });
}

/** The key as people type it: base32 in groups of four. */
export function manualKey(secret: Uint8Array): string {
  const b32 = new Secret({ buffer: Uint8Array.from(secret).buffer }).base32;
  return b32.replace(/(.{4})/g, '$1 ').trim();
}

/** A code the user typed, with spaces removed; null when it is not six digits. */
export function parseCode(input: string): string | null {
  const code = input.replace(/\s+/g, '');
  return /^\d{6}$/.test(code) ? code : null;
}

const codeForm = z.object({ code: z.string().max(20) });

/** The code of a posted form (its field `code`), as parseCode reads it; null when there is none or it is no code. */
export function codeOfForm(body: unknown): string | null {
  const parsed = codeForm.safeParse(body);
  return parsed.success ? parseCode(parsed.data.code) : null;
}

/** The time step a code belongs to (within ±1 step of now), or null when it matches none. */
export function stepOf(secret: Uint8Array, code: string, now = Date.now()): number | null {
  const delta = totp(secret).validate({ token: code, timestamp: now, window: WINDOW });
  if (delta === null) return null;
  return TOTP.counter({ period: PERIOD, timestamp: now }) + delta;
}

/** Marks a step as used; false when this step (or a later one) was used before: a replay. */
export async function consumeStep(tx: Tx, staffId: string, step: number): Promise<boolean> {
  const row = await tx
    .updateTable('staff_account')
    .set({ totp_last_step: step })
    .where('id', '=', staffId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Stores a confirmed secret; the confirming code's step counts as used. */
export async function enrolTotp(
  tx: Tx,
  keys: KeyStore,
  staffId: string,
  secret: Uint8Array,
  step: number,
): Promise<void> {
  await tx
    .updateTable('staff_account')
    .set({
      totp_ciphertext: sealTotpSecret(keys, staffId, secret),
      totp_confirmed_at: sql<Date>`now()`,
      totp_last_step: step,
      must_enrol_totp: false,
    })
    .where('id', '=', staffId)
    .execute();
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function otpauthUri(secret: Uint8Array, issuer: string, label: string): string {
  return totp(secret, issuer, label).toString();
}

/** The QR code as a PNG data: URL (the CSP allows data: images; no request leaves the page). */
export function qrDataUrl(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 220 });
}

/**
 * The secret of an enrolment in progress: the one `sealed` holds (a reload shows the same QR code), or a new one,
 * which `keep` stores sealed until the employee confirms it with a code.
 */
export async function enrolmentSecret(
  keys: KeyStore,
  staffId: string,
  sealed: string | undefined,
  keep: (sealed: string) => Promise<void>,
): Promise<Uint8Array> {
  if (sealed) return openTotpSecret(keys, staffId, Buffer.from(sealed, 'base64'), 'pending');
  const secret = newTotpSecret();
  await keep(sealTotpSecret(keys, staffId, secret, 'pending').toString('base64'));
  return secret;
}

/** What the enrolment page shows of a secret: the QR code for the authenticator app, and the key to type instead. */
export async function enrolmentCodes(
  secret: Uint8Array,
  issuer: string,
  label: string,
): Promise<{ qrDataUrl: string; manualKey: string }> {
  return { qrDataUrl: await qrDataUrl(otpauthUri(secret, issuer, label)), manualKey: manualKey(secret) };
}

/** For tests: the code for a secret at a moment. */
export function codeAt(secret: Uint8Array, timestamp: number): string {
  return totp(secret).generate({ timestamp });
}
