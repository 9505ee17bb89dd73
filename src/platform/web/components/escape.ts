// Attribute values, fixed once for the whole page layer. Kita (@kitajs/html) escapes only `"` in attribute values, so
// a value holding `&amp;` would reach the browser as `&`: a form field would change what it was given. Every
// component that writes a value someone typed or sent goes through attr(), and the round trip is tested
// (components.test.ts): `&amp;`, `<`, `"` and `'` come back exactly.

/** An attribute value that the browser reads back exactly as given (Kita adds the escaping of `"`). */
export function attr(value: string): string;
export function attr(value: string | undefined): string | undefined;
export function attr(value: string | undefined): string | undefined {
  return value === undefined ? undefined : value.replaceAll('&', '&amp;');
}
