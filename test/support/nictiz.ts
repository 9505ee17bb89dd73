// The Nictiz zib2020 example instances (CC0, vendored under test/fixtures/nictiz-zib2020/examples, all XML) as FHIR
// JSON, converted once per process with Koepel's own XML wrapper.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fhirXmlToJson } from '../../src/platform/fhir/xml.js';

export const NICTIZ_EXAMPLES_DIR = fileURLToPath(new URL('../fixtures/nictiz-zib2020/examples/', import.meta.url));

export interface NictizExample {
  /** File name, e.g. `nl-core-Patient-01.xml`. */
  file: string;
  resource: Record<string, unknown>;
}

let cache: NictizExample[] | undefined;

/** Every example, sorted by file name. Callers get deep copies, so they may change what they receive. */
export function nictizExamples(): NictizExample[] {
  cache ??= readdirSync(NICTIZ_EXAMPLES_DIR)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((file) => ({ file, resource: fhirXmlToJson(readFileSync(join(NICTIZ_EXAMPLES_DIR, file), 'utf8')) }));
  return cache.map(({ file, resource }) => ({ file, resource: structuredClone(resource) }));
}

/** The XML text of one example. */
export function nictizExampleXml(file: string): string {
  return readFileSync(join(NICTIZ_EXAMPLES_DIR, file), 'utf8');
}
