// FHIR XML (application/fhir+xml) in and out, on FHIR.js (the `fhir` package, pinned). Koepel works in FHIR JSON;
// this converts at the edge. FHIR.js has three bugs we work around here rather than patch:
// - its `xmlToJson` returns undefined when a comment or anything else precedes the root element, and crashes on
//   `_given: [null, {…}]` (an extension on the second of several primitives); its `xmlToObj` leaves decimals as
//   strings. So we parse with its own xml-js, pick the root element ourselves, and turn its decimal markers into numbers;
// - XML comments come out as `fhir_comments` (a DSTU2 property, invalid in R4): we drop them and the empty `_field`
//   objects they leave.
// Untrusted input is checked before anything parses it: no DOCTYPE or other declarations (XXE, billion laughs),
// a size limit, a nesting-depth limit, UTF-8 only, the FHIR namespace on the root. Errors never quote the input.
import { createRequire } from 'node:module';
import { ConvertToJs } from 'fhir/convertToJs.js';
import { ConvertToXml } from 'fhir/convertToXml.js';
import { ParseConformance } from 'fhir/parseConformance.js';
import { FhirError, issue } from './outcome.js';

export const FHIR_XML = 'application/fhir+xml; charset=utf-8';
export const FHIR_NAMESPACE = 'http://hl7.org/fhir';
/** Nesting depth of XML elements (the Nictiz zib2020 examples reach 15; a narrative's XHTML adds a few). */
export const MAX_XML_DEPTH = 100;
/** The same ceiling as the FHIR API's request bodies. */
export const MAX_XML_BYTES = 48 * 1024 * 1024;

interface XmlNode {
  type: string;
  name?: string;
  attributes?: Record<string, string>;
  elements?: XmlNode[];
}
interface Xml2Js {
  xml2js(xml: string, opts?: Record<string, unknown>): XmlNode;
}
interface ToJs {
  resourceToJS(el: XmlNode, surroundDecimalsWith: Record<string, string>): Record<string, unknown>;
}

// FHIR.js bundles xml-js (on sax, strict mode, strict entities); load the copy it uses.
const xmlJs = createRequire(createRequire(import.meta.url).resolve('fhir'))('xml-js') as Xml2Js;

let parser: ParseConformance | undefined;
/** FHIR.js's R4 type model: loading it takes 0.1–0.3 s, so once and only when XML is first used. */
function conformance(): ParseConformance {
  parser ??= new ParseConformance(true);
  return parser;
}

const refuse = (diagnostics: string, code: 'structure' | 'not-supported' | 'too-long' = 'structure') =>
  new FhirError(code === 'too-long' ? 413 : 400, [issue(code, diagnostics)]);

/**
 * Walks the markup once, without building anything: refuses declarations (DOCTYPE, ENTITY …), measures the nesting
 * depth and counts elements. Attribute values cannot hold `<`, so a tag ends at the first `>` outside quotes.
 */
export function scanXml(xml: string, maxDepth = MAX_XML_DEPTH): { elements: number; depth: number } {
  const tag = /<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>/y;
  let depth = 0;
  let maxSeen = 0;
  let elements = 0;
  let i = xml.indexOf('<');
  while (i !== -1) {
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end === -1) throw refuse('The XML is not well-formed: a comment is not closed');
      i = xml.indexOf('<', end + 3);
      continue;
    }
    if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      if (end === -1) throw refuse('The XML is not well-formed: a CDATA section is not closed');
      i = xml.indexOf('<', end + 3);
      continue;
    }
    if (xml.startsWith('<!', i)) {
      throw refuse('XML with a DOCTYPE or entity declarations is not accepted', 'not-supported');
    }
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end === -1) throw refuse('The XML is not well-formed: a processing instruction is not closed');
      i = xml.indexOf('<', end + 2);
      continue;
    }
    tag.lastIndex = i;
    if (!tag.test(xml)) throw refuse('The XML is not well-formed: a tag is not closed');
    const end = tag.lastIndex;
    if (xml[i + 1] === '/') {
      depth--;
      if (depth < 0) throw refuse('The XML is not well-formed: an end tag has no start tag');
    } else {
      elements++;
      if (xml[end - 2] !== '/') {
        depth++;
        if (depth > maxDepth) throw refuse(`The XML is nested deeper than ${maxDepth} elements`);
        if (depth > maxSeen) maxSeen = depth;
      }
    }
    i = xml.indexOf('<', end);
  }
  if (depth !== 0) throw refuse('The XML is not well-formed: an element is not closed');
  return { elements, depth: maxSeen };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmptyExtra(v: unknown): boolean {
  return v === null || (isPlainObject(v) && Object.keys(v).length === 0);
}

/**
 * Cleans FHIR.js's output in place: decimal markers become numbers, `fhir_comments` go, and so do the `_field`
 * objects (or array slots) that only held comments.
 */
function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (!isPlainObject(value)) return value;
  if (typeof value.toJSON === 'function' && typeof value.value === 'string') return Number(value.value);
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    if (key === 'fhir_comments') continue;
    const v = tidy(raw);
    if (key.startsWith('_')) {
      if (isEmptyExtra(v)) continue;
      if (Array.isArray(v)) {
        const slots = v.map((s: unknown) => (isEmptyExtra(s) ? null : s));
        if (slots.every((s) => s === null)) continue;
        out[key] = slots;
        continue;
      }
    }
    out[key] = v;
  }
  return out;
}

/** The XML prolog's encoding, if it names one. */
function declaredEncoding(xml: string): string | undefined {
  const decl = /^<\?xml\s[^?]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(xml);
  return decl?.[1]?.toLowerCase();
}

/**
 * FHIR XML (one resource, which may be a Bundle) as FHIR JSON. Refuses with a FhirError 400 (413 when too large) and
 * a message that never quotes the input.
 */
export function fhirXmlToJson(
  xml: string,
  opts: { maxBytes?: number; maxDepth?: number } = {},
): Record<string, unknown> {
  const maxBytes = opts.maxBytes ?? MAX_XML_BYTES;
  if (xml.length > maxBytes || Buffer.byteLength(xml, 'utf8') > maxBytes) {
    throw refuse(`The XML is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`, 'too-long');
  }
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  if (!text.trimStart().startsWith('<')) throw refuse('The request body is not XML');
  const encoding = declaredEncoding(text.trimStart());
  if (encoding !== undefined && encoding !== 'utf-8' && encoding !== 'utf8') {
    throw refuse('FHIR XML must be encoded in UTF-8', 'not-supported');
  }
  const { elements } = scanXml(text, opts.maxDepth ?? MAX_XML_DEPTH);

  let doc: XmlNode;
  try {
    doc = xmlJs.xml2js(text);
  } catch {
    throw refuse('The XML is not well-formed');
  }
  const roots = (doc.elements ?? []).filter((e) => e.type === 'element');
  const root = roots[0];
  if (!root || roots.length !== 1) throw refuse('The XML must hold exactly one root element');
  if (!root.name || root.name.includes(':') || root.attributes?.xmlns !== FHIR_NAMESPACE) {
    throw refuse(`The root element must be a FHIR resource in the namespace ${FHIR_NAMESPACE} (without a prefix)`);
  }
  const types = conformance().parsedStructureDefinitions as Record<string, { _kind?: string } | undefined>;
  if (types[root.name]?._kind !== 'resource') throw refuse('The root element is not a FHIR R4 resource type');

  let json: Record<string, unknown>;
  try {
    const toJs = new ConvertToJs(conformance()) as unknown as ToJs;
    json = tidy(toJs.resourceToJS(root, { str: '' })) as Record<string, unknown>;
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    if (message.startsWith('Value should be')) {
      throw refuse('A boolean, integer or decimal value in the XML is not valid for its type');
    }
    if (message.startsWith('Unknown resource type')) {
      throw refuse('The XML holds a resource of a type FHIR R4 does not define');
    }
    throw refuse('The XML is not valid FHIR');
  }
  // FHIR.js silently skips elements it does not know. Written back, the resource must have as many elements as came
  // in; fewer means something was not FHIR (an unknown element, or one without a value) and would be lost.
  const back = scanXml(fhirJsonToXml(json), Number.MAX_SAFE_INTEGER).elements;
  if (back < elements) {
    throw refuse('The XML holds elements that FHIR R4 does not define at their place, or elements without a value');
  }
  return json;
}

/** FHIR JSON (one resource) as FHIR XML, with an XML declaration. */
export function fhirJsonToXml(resource: Record<string, unknown>): string {
  const xml = new ConvertToXml(conformance()).convert(resource) as string | undefined;
  if (xml === undefined) throw new Error('Not a FHIR resource: resourceType is missing');
  return xml;
}
