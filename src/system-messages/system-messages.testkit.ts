// For tests: a lab result as a GP's system pushes it — the published Nictiz nl-core example (CC0,
// test/fixtures/nictiz-zib2020), for one citizen's BSN, with a logical id of its own. Not imported by the app.
import { nictizExamples } from '../../test/support/nictiz.js';

const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';
const LAB_EXAMPLE = 'nl-core-LaboratoryTestResult-01.xml';

/** The Nictiz lab example as the GP's system sends it: for this BSN, with a logical id of its own. */
export function labBundle(bsn: string, id: string): unknown {
  const example = nictizExamples().find((e) => e.file === LAB_EXAMPLE);
  if (!example) throw new Error(`${LAB_EXAMPLE} is missing`);
  const observation = example.resource;
  observation.id = id;
  observation.subject = { reference: 'urn:uuid:5e550000-0000-4000-8000-000000000001', type: 'Patient' };
  delete observation.specimen; // the example's Specimen is another example, not part of this message
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: 'urn:uuid:5e550000-0000-4000-8000-000000000001',
        resource: { resourceType: 'Patient', identifier: [{ system: BSN_SYSTEM, value: bsn }] },
        request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${BSN_SYSTEM}|${bsn}` },
      },
      {
        fullUrl: `urn:uuid:5e550000-0000-4000-8000-1000000000${id.slice(-2)}`,
        resource: observation,
        request: { method: 'PUT', url: `Observation/${id}` },
      },
    ],
  };
}
