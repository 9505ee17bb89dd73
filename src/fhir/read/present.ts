// How stored record data is shown to a citizen over FHIR: the stored resource under Koepel's own id, with its
// version, the organisation it came from, and its references rewritten into Koepel's id space. A sender's
// references point into its own id space (`Type/{logical id}`: what it sent, or how the FHIR write API named the
// other entries of a Bundle); left as they are they would be dangling or, worse, look like ids a client could try
// here. So: the patient becomes Patient/{citizen id}; a record resource of the same organisation that the citizen
// may see becomes {Type}/{Koepel id}, and so does a practitioner (or role) in the organisation's directory; any other
// reference loses only its `reference` string and keeps what it says about its target (identifier, display, type).
import { isCitizenRecordType, type AttachmentInfo, type FhirJson, type StoredResource } from '../../record/index.js';
import { mayDiscloseBrpData, type BrpPerson } from '../../identity/index.js';
import { DIRECTORY_TYPES, PATIENT_FIELD, type DirectoryType } from '../resources.js';

export type Json = Record<string, unknown>;

export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';
const AGB_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/agb-z';
const URA_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/ura';

/** Extension on every record resource naming the organisation that made it available, under Koepel's canonical base
 * (config fhirCanonicalBase; served at {FHIR base}/StructureDefinition/source-organization). meta.source carries the
 * same organisation as a resolvable URL. */
export const SOURCE_ORGANISATION_PATH = 'StructureDefinition/source-organization';
export const sourceOrganisationExtension = (canonical: string) => `${canonical}/${SOURCE_ORGANISATION_PATH}`;

export interface OrganisationInfo {
  id: string;
  name: string;
  agbCode: string | null;
  uraNumber: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  street: string | null;
  postalCode: string | null;
  city: string | null;
}

export interface DirectoryEntry {
  id: string;
  organisationId: string;
  resourceType: DirectoryType;
  sourceKey: string;
  /** The id in the organisation's own id space. */
  logicalId: string;
  updatedAt: Date;
  resource: Json;
}

export interface PresentContext {
  /** Absolute base of the FHIR API, e.g. https://portaal.example/fhir. */
  base: string;
  /** The canonical base of Koepel's own definitions. */
  canonical: string;
  citizenId: string;
  organisations: ReadonlyMap<string, OrganisationInfo>;
  /** Stored attachments per resource id. */
  attachments: ReadonlyMap<string, readonly AttachmentInfo[]>;
  /**
   * Directory entries by directoryKey() (the sender's source key, and `id|{logical id}`) and by koepelKey() (Koepel's
   * own id).
   */
  directory: ReadonlyMap<string, DirectoryEntry>;
  /** The Koepel ids of record resources the citizen may see, by recordKey() (organisation, type and logical or Koepel id). */
  visibleRecords: ReadonlyMap<string, string>;
}

/** A record resource as a reference of its organisation names it: by logical id (or, for older data, Koepel id). */
export const recordKey = (organisationId: string, type: string, id: string) => `${organisationId} ${type}/${id}`;

/** The directory types the citizen's FHIR API serves (src/fhir/read/routes.ts). */
const SERVED_DIRECTORY = new Set<string>([
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Location',
  'Medication',
]);

const RELATIVE = /^([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** A relative literal reference `Type/id` (a version is ignored): the organisation's own id space. */
export function relativeReference(ref: Json): { type: string; id: string } | null {
  const m = typeof ref.reference === 'string' ? RELATIVE.exec(ref.reference) : null;
  return m?.[1] && m[2] ? { type: m[1], id: m[2] } : null;
}

export const directoryKey = (organisationId: string, type: string, sourceKey: string) =>
  `${organisationId} ${type} ${sourceKey}`;
export const koepelKey = (type: string, id: string) => `koepel ${type}/${id}`;

/**
 * A reference already in Koepel's id space: the FHIR write API rewrites references between entries of one Bundle
 * to `{type}/{Koepel id}` when it stores them.
 */
export function koepelReference(ref: Json): { type: string; id: string; record: boolean } | null {
  const r = typeof ref.reference === 'string' ? ref.reference : null;
  const m = r ? /(?:^|\/)([A-Za-z]+)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(r) : null;
  if (!m?.[1] || !m[2]) return null;
  // Medication: MP9's product, stored in the organisation's directory (src/fhir/directory.ts).
  if (m[1] === 'Practitioner' || m[1] === 'PractitionerRole' || m[1] === 'Medication')
    return { type: m[1], id: m[2].toLowerCase(), record: false };
  if (isCitizenRecordType(m[1])) return { type: m[1], id: m[2].toLowerCase(), record: true };
  return null;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The directory source keys a reference could name: `id|<logical id>` of a relative reference, or `system|value` of
 * its identifier. The directory is looked up by both its source key and its logical id under `id|…`.
 */
export function referenceSourceKeys(ref: Json): { type: string; sourceKey: string }[] {
  const out: { type: string; sourceKey: string }[] = [];
  const rel = relativeReference(ref);
  const relType = rel && DIRECTORY_TYPES.includes(rel.type as DirectoryType) ? rel.type : null;
  if (rel && relType) out.push({ type: relType, sourceKey: `id|${rel.id}` });
  const type = relType ?? (typeof ref.type === 'string' ? ref.type : null);
  const identifier = isObject(ref.identifier) ? ref.identifier : null;
  if (
    type &&
    DIRECTORY_TYPES.includes(type as DirectoryType) &&
    identifier &&
    typeof identifier.system === 'string' &&
    typeof identifier.value === 'string'
  ) {
    out.push({ type, sourceKey: `${identifier.system}|${identifier.value}` });
  }
  return out;
}

function walkReferences(value: unknown, out: Json[]): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) walkReferences(v, out);
    return;
  }
  const o = value as Json;
  if (typeof o.reference === 'string' || (typeof o.type === 'string' && isObject(o.identifier))) out.push(o);
  for (const k in o) if (k !== 'contained') walkReferences(o[k], out);
}

// $everything looks at each resource's references three times (directory, visible targets, rewrite): walk once.
const referenceCache = new WeakMap<object, Json[]>();

/** Every Reference-shaped object inside a resource (an object with a string `reference` or a typed identifier). */
export function collectReferences(resource: Json): Json[] {
  let refs = referenceCache.get(resource);
  if (!refs) {
    refs = [];
    walkReferences(resource, refs);
    referenceCache.set(resource, refs);
  }
  return refs;
}

function isPatientReference(ref: Json): boolean {
  const r = typeof ref.reference === 'string' ? ref.reference : '';
  if (/(?:^|\/)Patient\/[^/]+$/.test(r) || ref.type === 'Patient') return true;
  const id = isObject(ref.identifier) ? ref.identifier : null;
  return id?.system === BSN_SYSTEM;
}

function rewriteReferences(resource: Json, organisationId: string, ctx: PresentContext): void {
  for (const ref of collectReferences(resource)) {
    const r = typeof ref.reference === 'string' ? ref.reference : null;
    if (r?.startsWith('#')) continue; // contained resource: stays inside this resource
    if (isPatientReference(ref)) {
      ref.reference = `Patient/${ctx.citizenId}`;
      delete ref.identifier;
      if (ref.type !== undefined) ref.type = 'Patient';
      continue;
    }
    const rel = relativeReference(ref);
    if (rel && isCitizenRecordType(rel.type)) {
      // Only a resource of the same organisation that the citizen may see is named; not even the id of another.
      const id = ctx.visibleRecords.get(recordKey(organisationId, rel.type, rel.id));
      if (id) {
        ref.reference = `${rel.type}/${id}`;
        continue;
      }
    } else {
      const own = rel ? ctx.directory.get(koepelKey(rel.type, rel.id.toLowerCase())) : undefined;
      const found =
        referenceSourceKeys(ref)
          .map((k) => ctx.directory.get(directoryKey(organisationId, k.type, k.sourceKey)))
          .find((e) => e !== undefined) ?? (own?.organisationId === organisationId ? own : undefined);
      if (found && SERVED_DIRECTORY.has(found.resourceType)) {
        ref.reference = `${found.resourceType}/${found.id}`;
        continue;
      }
      // Organization references of a sender point at itself in practice: the source organisation in Koepel. Not
      // when the sender described that organisation in its directory: then it is another one (an insurer, say).
      if (!found && (rel?.type === 'Organization' || (r && /(?:^|\/)Organization\/[^/]+$/.test(r)))) {
        ref.reference = `Organization/${organisationId}`;
        continue;
      }
    }
    // Not resolvable here, or not the citizen's to see: the reference string goes, what it says about its target
    // stays. A reference that said nothing else keeps its type.
    delete ref.reference;
    if (rel && ref.type === undefined && ref.display === undefined && ref.identifier === undefined) {
      if (ref.extension === undefined) ref.type = rel.type;
    }
  }
}

// Per presentation and organisation, the same source URL and extension object serve every resource.
const sourceCache = new WeakMap<PresentContext, Map<string, { source: string; extension: Json }>>();

function sourceOf(ctx: PresentContext, organisationId: string): { source: string; extension: Json } {
  let byOrg = sourceCache.get(ctx);
  if (!byOrg) {
    byOrg = new Map();
    sourceCache.set(ctx, byOrg);
  }
  let found = byOrg.get(organisationId);
  if (!found) {
    const org = ctx.organisations.get(organisationId);
    found = {
      source: `${ctx.base}/Organization/${organisationId}`,
      extension: {
        url: sourceOrganisationExtension(ctx.canonical),
        valueReference: { reference: `Organization/${organisationId}`, ...(org ? { display: org.name } : {}) },
      },
    };
    byOrg.set(organisationId, found);
  }
  return found;
}

function sourceMeta(
  resource: Json,
  organisationId: string,
  ctx: PresentContext,
  meta: { versionId?: string; lastUpdated: Date },
): void {
  const { source, extension } = sourceOf(ctx, organisationId);
  const profile = isObject(resource.meta) && Array.isArray(resource.meta.profile) ? resource.meta.profile : null;
  const m: Json = {};
  if (meta.versionId) m.versionId = meta.versionId;
  m.lastUpdated = meta.lastUpdated.toISOString();
  m.source = source;
  if (profile) m.profile = profile;
  resource.meta = m;
  const extensions = Array.isArray(resource.extension) ? (resource.extension as unknown[]) : [];
  resource.extension =
    extensions.length === 0
      ? [extension]
      : [
          extension,
          ...extensions.filter((e) => !(isObject(e) && e.url === sourceOrganisationExtension(ctx.canonical))),
        ];
}

/** The patient field of each record resource type (the one ingest checks): every resource names its citizen. */
const PATIENT_FIELD_OF: Partial<Record<FhirJson['resourceType'], string>> = PATIENT_FIELD;

/** A stored record resource as the citizen's FHIR API returns it. Mutates and returns stored.resource. */
export function presentResource(stored: StoredResource, ctx: PresentContext): Json {
  const resource: Json = stored.resource;
  resource.id = stored.id;
  rewriteReferences(resource, stored.organisationId, ctx);
  sourceMeta(resource, stored.organisationId, ctx, {
    versionId: String(stored.version),
    lastUpdated: stored.updatedAt,
  });
  const field = PATIENT_FIELD_OF[stored.resourceType];
  if (field) {
    const current = isObject(resource[field]) ? resource[field] : {};
    resource[field] = { ...current, reference: `Patient/${ctx.citizenId}` };
  }
  if (stored.resourceType === 'DocumentReference') {
    const stored_ = ctx.attachments.get(stored.id) ?? [];
    const content = Array.isArray(resource.content) ? (resource.content as unknown[]) : [];
    content.forEach((c, position) => {
      if (!isObject(c) || !isObject(c.attachment)) return;
      const a = c.attachment;
      delete a.data;
      const file = stored_.find((x) => x.position === position);
      if (file) {
        a.url = `${ctx.base}/Binary/${stored.id}-${position}`;
        a.contentType = file.contentType;
        a.size = file.byteSize;
      }
    });
  }
  return resource;
}

/** A Practitioner or PractitionerRole from the organisation's directory. */
export function presentDirectoryEntry(entry: DirectoryEntry, ctx: PresentContext): Json {
  const resource: Json = structuredClone(entry.resource);
  resource.resourceType = entry.resourceType;
  resource.id = entry.id;
  rewriteReferences(resource, entry.organisationId, ctx);
  sourceMeta(resource, entry.organisationId, ctx, { lastUpdated: entry.updatedAt });
  return resource;
}

export function organisationResource(o: OrganisationInfo): Json {
  const identifier = [
    ...(o.agbCode ? [{ system: AGB_SYSTEM, value: o.agbCode }] : []),
    ...(o.uraNumber ? [{ system: URA_SYSTEM, value: o.uraNumber }] : []),
  ];
  const telecom = [
    ...(o.phone ? [{ system: 'phone', value: o.phone }] : []),
    ...(o.email ? [{ system: 'email', value: o.email }] : []),
    ...(o.website ? [{ system: 'url', value: o.website }] : []),
  ];
  const hasAddress = o.street ?? o.postalCode ?? o.city;
  return {
    resourceType: 'Organization',
    id: o.id,
    ...(identifier.length > 0 ? { identifier } : {}),
    active: true,
    name: o.name,
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(hasAddress
      ? {
          address: [
            {
              use: 'work',
              ...(o.street ? { line: [o.street] } : {}),
              ...(o.city ? { city: o.city } : {}),
              ...(o.postalCode ? { postalCode: o.postalCode } : {}),
              country: 'NL',
            },
          ],
        }
      : {}),
  };
}

const GENDER: Record<BrpPerson['geslacht']['code'], string> = { M: 'male', V: 'female', O: 'unknown' };

/** A BRP date as a FHIR date: FHIR allows YYYY and YYYY-MM, so a partial date stays partial; unknown is left out. */
function fhirBirthDate(d: BrpPerson['geboorte']['datum']): string | undefined {
  switch (d.type) {
    case 'Datum':
      return d.datum;
    case 'JaarMaandDatum':
      return `${String(d.jaar).padStart(4, '0')}-${String(d.maand).padStart(2, '0')}`;
    case 'JaarDatum':
      return String(d.jaar).padStart(4, '0');
    case 'DatumOnbekend':
      return undefined;
  }
}

function fhirAddress(person: BrpPerson): Json[] {
  const v = person.verblijfplaats;
  switch (v?.type) {
    case 'Adres': {
      const a = v.verblijfadres;
      const houseNumber = [String(a.huisnummer), a.huisletter, a.huisnummertoevoeging].filter(Boolean).join(' ');
      return [
        {
          use: 'home',
          line: [`${a.korteStraatnaam} ${houseNumber}`],
          city: a.woonplaats,
          postalCode: a.postcode,
          country: 'NL',
        },
      ];
    }
    case 'VerblijfplaatsBuitenland': {
      const a = v.verblijfadres;
      const line = [a.regel1, a.regel2, a.regel3].filter((l): l is string => Boolean(l));
      return line.length > 0 || a.land
        ? [{ use: 'home', ...(line.length > 0 ? { line } : {}), ...(a.land ? { country: a.land.omschrijving } : {}) }]
        : [];
    }
    case 'Locatie':
      return v.verblijfadres.locatiebeschrijving
        ? [{ use: 'home', text: v.verblijfadres.locatiebeschrijving, country: 'NL' }]
        : [];
    default:
      return [];
  }
}

/**
 * The citizen as a FHIR Patient, from Koepel's own data (the BRP snapshot): BSN, name (zib NameInformation style:
 * the prefix as own-prefix extension on family), gender, birth date (partial when the BRP's is) and address
 * (in the Netherlands, abroad, or a location description; none when unknown). Its id is the citizen's Koepel id.
 *
 * `forThirdParty`: the reader is a third-party service (a citizen app with an access token). When the BRP says
 * geheimhoudingPersoonsgegevens, no BRP field goes to it: the Patient carries only its id and a restricted label.
 */
export function patientResource(
  citizenId: string,
  person: BrpPerson,
  fetchedAt: Date,
  opts: { forThirdParty?: boolean } = {},
): Json {
  const meta = { lastUpdated: fetchedAt.toISOString(), source: 'urn:koepel:brp' };
  if (opts.forThirdParty && !mayDiscloseBrpData(person)) {
    return {
      resourceType: 'Patient',
      id: citizenId,
      meta: {
        ...meta,
        security: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
            code: 'R',
            display: 'restricted',
          },
        ],
      },
    };
  }
  const n = person.naam;
  const family = [n.voorvoegsel, n.geslachtsnaam].filter(Boolean).join(' ');
  const given = (n.voornamen ?? '').split(' ').filter(Boolean);
  const birthDate = fhirBirthDate(person.geboorte.datum);
  const address = fhirAddress(person);
  return {
    resourceType: 'Patient',
    id: citizenId,
    meta,
    identifier: [{ use: 'official', system: BSN_SYSTEM, value: person.burgerservicenummer }],
    name: [
      {
        use: 'official',
        text: n.volledigeNaam,
        family,
        _family: {
          extension: [
            ...(n.voorvoegsel
              ? [{ url: 'http://hl7.org/fhir/StructureDefinition/humanname-own-prefix', valueString: n.voorvoegsel }]
              : []),
            { url: 'http://hl7.org/fhir/StructureDefinition/humanname-own-name', valueString: n.geslachtsnaam },
          ],
        },
        ...(given.length > 0
          ? {
              given,
              _given: given.map(() => ({
                extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-qualifier', valueCode: 'BR' }],
              })),
            }
          : {}),
      },
    ],
    gender: GENDER[person.geslacht.code],
    ...(birthDate ? { birthDate } : {}),
    ...(address.length > 0 ? { address } : {}),
  };
}
