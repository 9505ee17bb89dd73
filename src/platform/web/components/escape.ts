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

/**
 * Unicode's explicit bidirectional formatting characters: embeddings and overrides (U+202A–U+202E: LRE, RLE, PDF,
 * LRO, RLO), isolates (U+2066–U+2069: LRI, RLI, FSI, PDI) and the deprecated format controls U+206A–U+206F. One of
 * them in a provider's text ("Trojan Source") can reverse how the rest of a line — or of the page — is shown, so that
 * a dose, a date or a name reads differently from what is stored. The bare marks (LRM, RLM, ALM) are kept: they open
 * no scope, and right-to-left names need them.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u206A-\u206F]/gu;

/**
 * Text without bidirectional embedding, override and isolate controls. sendPage applies it to every page Koepel
 * serves (src/platform/http/request-context.ts), so it holds for text from provider systems wherever it is shown —
 * pages built with the components and by hand, attributes and titles alike. Our own pages set direction with `dir`
 * and never need these characters.
 */
export function withoutBidiControls(text: string): string {
  BIDI_CONTROLS.lastIndex = 0;
  return BIDI_CONTROLS.test(text) ? text.replace(BIDI_CONTROLS, '') : text;
}
