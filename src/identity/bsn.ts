// The burgerservicenummer and its 11-test (elfproef), checked everywhere a BSN enters Koepel.
export type Bsn = string & { readonly __brand: 'Bsn' };

/** Strips spaces and dots, pads an 8-digit BSN with a leading zero; returns null when it is not a valid BSN. */
export function parseBsn(input: unknown): Bsn | null {
  if (typeof input !== 'string') return null;
  let digits = input.replace(/[\s.]/g, '');
  if (/^\d{8}$/.test(digits)) digits = `0${digits}`;
  if (!/^\d{9}$/.test(digits) || digits === '000000000') return null;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * Number(digits[i]);
  sum -= Number(digits[8]);
  return sum % 11 === 0 ? (digits as Bsn) : null;
}

export function isValidBsn(input: unknown): input is Bsn {
  return parseBsn(input) !== null;
}
