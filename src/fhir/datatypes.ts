// Small FHIR helpers for ingest: the BSN naming system, the id syntax, and FHIRPath for a path into a resource. The
// shape of resources is checked by src/fhir/base (the R4 definitions), not here.

export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';

/** http://hl7.org/fhir/R4/datatypes.html#id */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** FHIRPath for a path under a base: ['code','coding',0] → `${base}.code.coding[0]`. */
export function fhirPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}
