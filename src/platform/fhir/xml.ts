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

export interface XmlLimits {
  /** Nesting depth of elements. */
  depth: number;
  /** Elements, comments, CDATA sections and processing instructions in all. */
  nodes: number;
  /** Child elements of one element (FHIR.js's converter is quadratic in them). */
  children: number;
  /** Attributes on one element (so is the XML parser). */
  attributes: number;
}

/**
 * Bounds that keep the conversion's cost near that of the largest legitimate request: a Bundle of MAX_ENTRIES (5,000)
 * resources of up to 100 elements each takes about 5 s; without them, 100,000 sibling elements or attributes on one
 * element would take minutes (both converters are quadratic there).
 */
export const XML_LIMITS: XmlLimits = { depth: 100, nodes: 500_000, children: 6_000, attributes: 100 };
/** Nesting depth of XML elements (the Nictiz zib2020 examples reach 16; a narrative's XHTML adds a few). */
export const MAX_XML_DEPTH = XML_LIMITS.depth;

/** Where the tag that starts at `i` ends (just past its `>`), and how many quoted attribute values it has; null if open. */
function tagEnd(xml: string, i: number): { end: number; attributes: number } | null {
  let attributes = 0;
  for (let j = i + 1; j < xml.length; j++) {
    const c = xml.charCodeAt(j);
    if (c === 0x3e /* > */) return { end: j + 1, attributes };
    if (c === 0x3c /* < */) return null;
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      const close = xml.indexOf(c === 0x22 ? '"' : "'", j + 1);
      if (close === -1) return null;
      attributes++;
      j = close;
    }
  }
  return null;
}

/**
 * Walks the markup once, without building anything: refuses declarations (DOCTYPE, ENTITY …) and anything beyond the
 * limits, checks that tags are closed and balanced, and counts elements. Attribute values cannot hold `<` or their own
 * quote, so a tag ends at the first `>` outside quotes.
 */
export function scanXml(xml: string, limits: XmlLimits = XML_LIMITS): { elements: number; depth: number } {
  let depth = 0;
  let maxSeen = 0;
  let elements = 0;
  let nodes = 0;
  const children = [0];
  const node = () => {
    if (++nodes > limits.nodes) {
      throw refuse(`The XML has more than ${limits.nodes} elements; send smaller Bundles`, 'too-long');
    }
  };
  let i = xml.indexOf('<');
  while (i !== -1) {
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end === -1) throw refuse('The XML is not well-formed: a comment is not closed');
      node();
      i = xml.indexOf('<', end + 3);
      continue;
    }
    if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      if (end === -1) throw refuse('The XML is not well-formed: a CDATA section is not closed');
      node();
      i = xml.indexOf('<', end + 3);
      continue;
    }
    if (xml.startsWith('<!', i)) {
      throw refuse('XML with a DOCTYPE or entity declarations is not accepted', 'not-supported');
    }
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end === -1) throw refuse('The XML is not well-formed: a processing instruction is not closed');
      node();
      i = xml.indexOf('<', end + 2);
      continue;
    }
    const tag = tagEnd(xml, i);
    if (!tag) throw refuse('The XML is not well-formed: a tag is not closed');
    if (xml[i + 1] === '/') {
      depth--;
      if (depth < 0) throw refuse('The XML is not well-formed: an end tag has no start tag');
    } else {
      node();
      elements++;
      if (tag.attributes > limits.attributes) {
        throw refuse(`An XML element has more than ${limits.attributes} attributes`);
      }
      children[depth] = (children[depth] ?? 0) + 1;
      if ((children[depth] ?? 0) > limits.children) {
        throw refuse(
          `An XML element has more than ${limits.children} child elements; send smaller Bundles`,
          'too-long',
        );
      }
      if (xml[tag.end - 2] !== '/') {
        depth++;
        if (depth > limits.depth) throw refuse(`The XML is nested deeper than ${limits.depth} elements`);
        if (depth > maxSeen) maxSeen = depth;
        children[depth] = 0;
      }
    }
    i = xml.indexOf('<', tag.end);
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

/**
 * FHIR.js looks up every child element's position with `elements.indexOf(child)` (for the comments before it), which
 * makes 5,000 siblings cost 25 million comparisons and 80 × 3,000 nested extensions 18 s. Long child lists get an
 * `indexOf` of their own, from a Map: the same answers, in constant time.
 */
function indexChildren(node: XmlNode): void {
  const elements = node.elements;
  if (!elements) return;
  if (elements.length > 32) {
    const position = new Map<XmlNode, number>();
    elements.forEach((e, i) => position.set(e, i));
    Object.defineProperty(elements, 'indexOf', { value: (e: XmlNode) => position.get(e) ?? -1 });
  }
  for (const child of elements) indexChildren(child);
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
  opts: { maxBytes?: number; limits?: Partial<XmlLimits> } = {},
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
  const { elements } = scanXml(text, { ...XML_LIMITS, ...opts.limits });

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

  indexChildren(root);
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
  const unlimited = Number.MAX_SAFE_INTEGER;
  const back = scanXml(fhirJsonToXml(json), {
    depth: unlimited,
    nodes: unlimited,
    children: unlimited,
    attributes: unlimited,
  }).elements;
  if (back < elements) {
    throw refuse('The XML holds elements that FHIR R4 does not define at their place, or elements without a value');
  }
  return json;
}

/** FHIR JSON (one resource) as FHIR XML, with an XML declaration. */
type PropertyToXml = (
  this: ConvertToXml,
  parentXmlObj: unknown,
  parentType: unknown,
  obj: Record<string, unknown> | undefined,
  propertyName: string,
  parentPropertyType?: string,
) => void;

/**
 * FHIR.js's writer with one shortcut: it visits every property a type defines, present or not, and for an absent
 * complex one every property of that type too (about 1 ms per Observation). An absent property (neither `x` nor
 * `_x`) writes nothing in FHIR.js either, so it is skipped here before that work: 3–4 times faster, same output.
 */
class FastConvertToXml extends ConvertToXml {}
{
  const proto = ConvertToXml.prototype as unknown as { propertyToXML: PropertyToXml };
  const original = proto.propertyToXML;
  (FastConvertToXml.prototype as unknown as { propertyToXML: PropertyToXml }).propertyToXML = function (
    parentXmlObj,
    parentType,
    obj,
    propertyName,
    parentPropertyType,
  ) {
    if (!obj || (obj[propertyName] === undefined && obj[`_${propertyName}`] === undefined)) return;
    original.call(this, parentXmlObj, parentType, obj, propertyName, parentPropertyType);
  };
}

export function fhirJsonToXml(resource: Record<string, unknown>): string {
  const xml = new FastConvertToXml(conformance()).convert(resource) as string | undefined;
  if (xml === undefined) throw new Error('Not a FHIR resource: resourceType is missing');
  return xml;
}
