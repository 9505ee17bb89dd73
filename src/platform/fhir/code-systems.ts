// The one map of FHIR code systems to the short names people know them by ("ICPC T90.02", "LOINC 718-7"). Both the
// citizen's record and the staff record label codes with it, so a system added here shows the same everywhere.
// URIs as in the nl-core/zib2020 profiles; some systems are also sent under their OID.
const CODE_SYSTEM_LABELS: Readonly<Record<string, string>> = {
  'http://hl7.org/fhir/sid/icpc-1-nl': 'ICPC',
  'http://hl7.org/fhir/sid/icpc-1': 'ICPC',
  'http://hl7.org/fhir/sid/icd-10': 'ICD-10',
  'http://loinc.org': 'LOINC',
  'http://snomed.info/sct': 'SNOMED',
  'urn:oid:2.16.840.1.113883.2.4.4.30.45': 'NHG',
  'http://www.whocc.no/atc': 'ATC',
  'urn:oid:2.16.840.1.113883.6.73': 'ATC',
  'urn:oid:2.16.840.1.113883.2.4.4.1': 'GPK',
  'urn:oid:2.16.840.1.113883.2.4.4.10': 'PRK',
  'urn:oid:2.16.840.1.113883.2.4.4.7': 'HPK',
  'urn:oid:2.16.840.1.113883.2.4.4.8': 'ZI',
};

/** The short name of a code system ("LOINC"), or undefined for a system Koepel does not name. */
export function codeSystemLabel(system: string | null | undefined): string | undefined {
  return system ? CODE_SYSTEM_LABELS[system] : undefined;
}
