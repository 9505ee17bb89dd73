// Koepel's own FHIR definitions, served under its canonical base so that their URLs resolve
// (GET {FHIR base}/StructureDefinition/{id}, public like the CapabilityStatement). One so far: the extension that
// names the organisation a record resource came from.
import { SOURCE_ORGANISATION_PATH } from './present.js';

export function sourceOrganisationDefinition(canonical: string): Record<string, unknown> {
  const url = `${canonical}/${SOURCE_ORGANISATION_PATH}`;
  return {
    resourceType: 'StructureDefinition',
    id: 'source-organization',
    url,
    version: '1.0.0',
    name: 'SourceOrganization',
    title: 'Source organisation',
    status: 'active',
    publisher: 'Koepel',
    description:
      'The care organisation that made this resource available in the patient portal: every record resource a ' +
      'citizen reads through Koepel carries it, so that data from several organisations stays attributable.',
    fhirVersion: '4.0.1',
    kind: 'complex-type',
    abstract: false,
    context: [{ type: 'element', expression: 'DomainResource' }],
    type: 'Extension',
    baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Extension',
    derivation: 'constraint',
    differential: {
      element: [
        { id: 'Extension', path: 'Extension', short: 'Source organisation', min: 0, max: '1' },
        { id: 'Extension.extension', path: 'Extension.extension', max: '0' },
        { id: 'Extension.url', path: 'Extension.url', fixedUri: url },
        {
          id: 'Extension.value[x]',
          path: 'Extension.value[x]',
          min: 1,
          type: [{ code: 'Reference', targetProfile: ['http://hl7.org/fhir/StructureDefinition/Organization'] }],
        },
      ],
    },
  };
}
