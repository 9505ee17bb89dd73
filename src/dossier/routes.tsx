// "Mijn dossier" (issue 3, LU-1, MG-4, MG-7): the combined record of a citizen, each item labelled with the care
// provider it came from and every page filterable by provider.
//
//   GET /dossier                              overview: sections with counts per provider (nothing decrypted)
//   GET /dossier/:section                     appointments | lab | vitals | findings | documents | medication |
//                                             immunisations | episodes | procedures | visits | sensitivities |
//                                             aids | directives | careplan | payer | careteam
//                                             (the zib2020 sections of issue 11 appear in the menu only when one
//                                             of the citizen's providers shows that category)
//   GET /dossier/lab/:id                      one test over time: SVG chart with reference band + table
//   GET /dossier/vitals/:kind                 one vital sign over time (blood pressure: systolic and diastolic)
//   GET /dossier/documents/:id                a document: details, text inline, files to download
//   GET /dossier/documents/:id/:position      download an attachment (audited)
//
// Every request audits first (event citizen.record.view / citizen.record.download, resourceType = the category)
// and only then reads; row-level security limits the reads to organisations of the citizen's portal with an active
// relationship, in the categories each makes available. An id that is not the citizen's, or not visible, is 404.
import Html from '@kitajs/html';
import type { DocumentReference, Observation } from 'fhir/r4.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireCitizen } from '../platform/auth/permissions.js';
import type { RecordCategory } from '../platform/db/schema.js';
import { codingKeys, conceptText } from '../platform/fhir/display.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage, type DataScope } from '../platform/http/request-context.js';
import { CardList, EmptyState, Link, Paragraph, Section, Text } from '../platform/web/components/index.js';
import type { PageContext } from '../platform/web/context.js';
import { notesAbout, NotesHere } from '../private-notes/index.js';
import { listAttachments, readAttachment, readResources, type StoredResource } from '../record/index.js';
import {
  countsByProvider,
  dossierProviders,
  isSection,
  parseOrgFilter,
  parseResourceId,
  providersInScope,
  type DossierProvider,
  type Section as DossierSection,
} from './data.js';
import { medicationOverview } from './medication.js';
import { DocumentPage, LabDetailPage, OverviewPage } from './pages.js';
import {
  AidTable,
  aidRows,
  CarePlanView,
  CoverageTable,
  coverageRows,
  DirectivesView,
  FindingTable,
  findingRows,
  ImmunisationsView,
  isVitalKind,
  memberIds,
  ProcedureTable,
  procedureRows,
  Resolver,
  VisitsView,
  VitalsOverview,
  vitalKind,
  vitalRow,
  type DirectoryEntry as RecordDirectoryEntry,
} from './record-sections.js';
import { VitalDetailPage } from './vitals-page.js';
import {
  allergyRow,
  AllergyTable,
  AppointmentCard,
  appointmentView,
  CareTeamCard,
  careTeamView,
  ConditionTable,
  conditionRows,
  DocumentTable,
  documentRow,
  fileKind,
  labRow,
  LabTable,
  MedicationTables,
  PastAppointments,
  type DirectoryEntry,
} from './section-views.js';
import { ProviderNotes, SectionPage } from './views.js';

/** The lab table shows at most this many results; older ones are reached per test or per provider. */
export const LAB_TABLE_LIMIT = 250;
const PAST_APPOINTMENTS_LIMIT = 25;
/** Text attachments up to this size are shown inline; larger ones are downloaded. */
const INLINE_TEXT_LIMIT = 256 * 1024;

const VIEW_EVENT = 'citizen.record.view';
const DOWNLOAD_EVENT = 'citizen.record.download';

type Citizen = ReturnType<typeof requireCitizen>;

/** Audit the view, then load the citizen's providers and check the organisation filter against them. */
async function begin(
  scope: DataScope,
  citizen: Citizen,
  what: { resourceType: string; resourceId?: string; org?: string; event?: string; reason?: string },
): Promise<{ providers: DossierProvider[]; inScope: DossierProvider[] }> {
  await scope.audit({
    event: what.event ?? VIEW_EVENT,
    action: 'R',
    citizenId: citizen.citizenId,
    resourceType: what.resourceType,
    ...(what.resourceId ? { resourceId: what.resourceId } : {}),
    ...(what.reason || what.org ? { reason: what.reason ?? `org:${what.org}` } : {}),
  });
  const providers = await dossierProviders(scope.tx, citizen.citizenId, citizen.portalId);
  return { providers, inScope: providersInScope(providers, what.org) };
}

function countPer(resources: { organisationId: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of resources) m.set(r.organisationId, (m.get(r.organisationId) ?? 0) + 1);
  return m;
}

function orgIds(org: string | undefined): { organisationIds?: string[] } {
  return org ? { organisationIds: [org] } : {};
}

// ---------------------------------------------------------------------------------------------------------------
// Section pages
// ---------------------------------------------------------------------------------------------------------------
async function renderSection(
  ctx: PageContext,
  scope: DataScope,
  citizen: Citizen,
  section: DossierSection,
  org: string | undefined,
): Promise<JSX.Element> {
  const { t } = ctx;
  const { providers, inScope } = await begin(scope, citizen, { resourceType: section, org });
  const read = (categories: RecordCategory[], limit?: number) =>
    readResources(
      { tx: scope.tx, keys: scope.keys },
      { citizenId: citizen.citizenId, categories, ...orgIds(org), ...(limit ? { limit } : {}) },
    );
  const page = (content: JSX.Element, counts: Map<string, number>) => (
    <SectionPage ctx={ctx} section={section} providers={providers} org={org}>
      {content}
      <ProviderNotes ctx={ctx} section={section} providers={inScope} counts={counts} />
    </SectionPage>
  );

  switch (section) {
    case 'lab': {
      const resources = await read(['lab'], LAB_TABLE_LIMIT + 1);
      const shown = resources.slice(0, LAB_TABLE_LIMIT);
      const rows = shown.filter((r) => r.resourceType === 'Observation').map((r) => labRow(ctx, r));
      // Counting for the empty-state sentences needs every provider's total, not only the rows shown.
      const counts = resources.length > LAB_TABLE_LIMIT ? await labCounts(scope, citizen) : countPer(shown);
      return page(
        rows.length === 0 ? (
          <></>
        ) : (
          <>
            <LabTable ctx={ctx} rows={rows} providers={providers} caption={t('dossier.lab.caption')} link />
            {resources.length > LAB_TABLE_LIMIT ? (
              <Text text={t('dossier.lab.more', { count: LAB_TABLE_LIMIT })} />
            ) : (
              ''
            )}
            <Text style="small" text={t('dossier.lab.explain')} />
          </>
        ),
        counts,
      );
    }
    case 'documents': {
      const resources = (await read(['documents'])).filter((r) => r.resourceType === 'DocumentReference');
      const attachments = await listAttachments(
        scope.tx,
        resources.map((r) => r.id),
      );
      const rows = resources.map((r) => documentRow(ctx, r, attachments));
      return page(
        rows.length === 0 ? <></> : <DocumentTable ctx={ctx} rows={rows} providers={providers} />,
        countPer(resources),
      );
    }
    case 'appointments': {
      // Leaflets are DocumentReferences of the same organisation (shown only where documents are shared).
      const resources = await read(['appointments', 'documents']);
      const documents = resources.filter((r) => r.resourceType === 'DocumentReference');
      const appointments = resources
        .filter((r) => r.resourceType === 'Appointment')
        .map((r) => appointmentView(ctx, r, documents));
      const now = Date.now();
      const upcoming = appointments
        .filter((a) => a.start !== null && (a.end ?? a.start).getTime() >= now && a.status !== 'entered-in-error')
        .sort((a, b) => (a.start?.getTime() ?? 0) - (b.start?.getTime() ?? 0));
      const past = appointments
        .filter((a) => !upcoming.includes(a) && a.status !== 'entered-in-error')
        .slice(0, PAST_APPOINTMENTS_LIMIT);
      return page(
        <>
          {/* Booking, changing and cancelling online: the appointments pages (src/appointments, issue 12). */}
          <Paragraph>
            <Link href="/appointments" text={t('dossier.appointments.manage')} />
          </Paragraph>
          <Section id="appointments-upcoming" title={t('dossier.appointments.upcoming')}>
            {upcoming.length === 0 ? (
              <EmptyState text={t('dossier.appointments.noUpcoming')} />
            ) : (
              <CardList class="koepel-appointments">
                {upcoming.map((a) => (
                  <AppointmentCard ctx={ctx} a={a} providers={providers} />
                ))}
              </CardList>
            )}
          </Section>
          <Section id="appointments-past" title={t('dossier.appointments.past')}>
            {past.length === 0 ? (
              <EmptyState text={t('dossier.appointments.noPast')} />
            ) : (
              <PastAppointments ctx={ctx} rows={past} providers={providers} />
            )}
          </Section>
        </>,
        countPer(appointments),
      );
    }
    case 'medication': {
      const resources = await read(['medication']);
      const overview = medicationOverview(resources, new Date(), await resolverFor(scope, resources));
      return page(
        <>
          {/* Issue 13: the medication passport and the current medication overview (src/medication-passport). */}
          <Paragraph>
            <Link href="/medication/passport" text={t('medicationPassport.dossierLink')} />
          </Paragraph>
          {/* Issue 13 (repeat medication, src/medication-orders): order current medicines again. */}
          {overview.current.length > 0 ? (
            <Paragraph>
              <Link href="/repeat-medication" text={t('medicationOrders.fromOverview')} />
            </Paragraph>
          ) : (
            ''
          )}
          {resources.length === 0 ? '' : <MedicationTables ctx={ctx} overview={overview} providers={providers} />}
        </>,
        countPer(resources),
      );
    }
    case 'episodes': {
      const resources = await read(['episodes']);
      const rows = conditionRows(resources);
      return page(
        rows.length === 0 ? (
          <></>
        ) : (
          <ConditionTable
            ctx={ctx}
            rows={rows}
            providers={providers}
            caption={t('dossier.episodes.caption')}
            nameHeader="dossier.episodes.episode"
          />
        ),
        countPer(resources),
      );
    }
    case 'sensitivities': {
      const resources = await read(['sensitivities']);
      const allergies = resources
        .filter((r) => r.resourceType === 'AllergyIntolerance')
        .map(allergyRow)
        .filter((r) => r !== null);
      const particulars = conditionRows(resources);
      return page(
        resources.length === 0 ? (
          <></>
        ) : (
          <>
            <Section id="sensitivities-allergies" title={t('dossier.sensitivities.allergies')}>
              {allergies.length === 0 ? (
                <EmptyState text={t('dossier.sensitivities.noAllergies')} />
              ) : (
                <AllergyTable ctx={ctx} rows={allergies} providers={providers} />
              )}
            </Section>
            <Section id="sensitivities-particulars" title={t('dossier.sensitivities.particulars')}>
              {particulars.length === 0 ? (
                <EmptyState text={t('dossier.sensitivities.noParticulars')} />
              ) : (
                <ConditionTable
                  ctx={ctx}
                  rows={particulars}
                  providers={providers}
                  caption={t('dossier.sensitivities.particularsCaption')}
                  nameHeader="dossier.sensitivities.particular"
                  captionHidden
                />
              )}
            </Section>
          </>
        ),
        countPer(resources),
      );
    }
    case 'vitals': {
      const resources = await read(['vitals']);
      const resolver = await resolverFor(scope, resources);
      // Members of a panel (a pulse's regularity) are shown with their panel, not again on their own.
      const members = memberIds(resources, resolver);
      const rows = resources
        .filter(
          (r) => r.resourceType === 'Observation' && r.resource.status !== 'entered-in-error' && !members.has(r.id),
        )
        .map((r) => vitalRow(ctx, r, resolver));
      return page(
        rows.length === 0 ? (
          <></>
        ) : (
          <>
            <VitalsOverview ctx={ctx} rows={rows} providers={providers} org={org} />
            <Text style="small" text={t('dossier.vitals.explain')} />
          </>
        ),
        countPer(resources),
      );
    }
    case 'findings': {
      const resources = await read(['findings']);
      const rows = findingRows(ctx, resources, await resolverFor(scope, resources));
      return page(
        rows.length === 0 ? <></> : <FindingTable ctx={ctx} rows={rows} providers={providers} />,
        countPer(resources),
      );
    }
    case 'immunisations': {
      const resources = await read(['immunisations']);
      const resolver = await resolverFor(scope, resources);
      return page(
        resources.length === 0 ? (
          <></>
        ) : (
          <ImmunisationsView ctx={ctx} resources={resources} resolver={resolver} providers={providers} />
        ),
        countPer(resources),
      );
    }
    case 'procedures': {
      const resources = await read(['procedures']);
      const rows = procedureRows(ctx, resources, await resolverFor(scope, resources));
      return page(
        rows.length === 0 ? <></> : <ProcedureTable ctx={ctx} rows={rows} providers={providers} />,
        countPer(resources),
      );
    }
    case 'visits': {
      // Episodes of care name their condition: Conditions are read where the organisation shows episodes.
      const resources = await read(['visits', 'episodes']);
      const own = resources.filter((r) => r.category === 'visits');
      const resolver = await resolverFor(scope, resources);
      return page(
        own.length === 0 ? <></> : <VisitsView ctx={ctx} resources={own} resolver={resolver} providers={providers} />,
        countPer(own),
      );
    }
    case 'aids': {
      const resources = await read(['aids']);
      const rows = aidRows(ctx, resources, await resolverFor(scope, resources));
      return page(
        rows.length === 0 ? <></> : <AidTable ctx={ctx} rows={rows} providers={providers} />,
        countPer(resources),
      );
    }
    case 'directives': {
      // Representatives are RelatedPersons: read where the organisation shows its care team.
      const resources = await read(['directives', 'careteam']);
      const own = resources.filter((r) => r.category === 'directives');
      const resolver = await resolverFor(scope, resources);
      return page(
        own.length === 0 ? (
          <></>
        ) : (
          <DirectivesView ctx={ctx} resources={own} resolver={resolver} providers={providers} />
        ),
        countPer(own),
      );
    }
    case 'careplan': {
      const resources = await read(['careplan']);
      const resolver = await resolverFor(scope, resources);
      return page(
        resources.length === 0 ? (
          <></>
        ) : (
          <CarePlanView ctx={ctx} resources={resources} resolver={resolver} providers={providers} />
        ),
        countPer(resources),
      );
    }
    case 'payer': {
      const resources = await read(['payer']);
      const rows = coverageRows(ctx, resources, await resolverFor(scope, resources));
      return page(
        rows.length === 0 ? <></> : <CoverageTable ctx={ctx} rows={rows} providers={providers} />,
        countPer(resources),
      );
    }
    case 'careteam': {
      const resources = (await read(['careteam'])).filter((r) => r.resourceType === 'CareTeam');
      const orgs = [...new Set(resources.map((r) => r.organisationId))];
      const directory: DirectoryEntry[] =
        orgs.length === 0
          ? []
          : (
              await scope.tx
                .selectFrom('directory_resource')
                .select(['organisation_id', 'resource_type', 'resource'])
                .where('organisation_id', 'in', orgs)
                .execute()
            ).map((d) => ({ organisationId: d.organisation_id, resourceType: d.resource_type, resource: d.resource }));
      const order = (id: string) => providers.findIndex((p) => p.id === id);
      const teams = resources
        .map((r) => careTeamView(ctx, r, directory))
        .sort((a, b) => order(a.organisationId) - order(b.organisationId));
      return page(
        <>
          {teams.map((team) => (
            <CareTeamCard ctx={ctx} team={team} providers={providers} />
          ))}
        </>,
        countPer(resources),
      );
    }
  }
}

/** The directory entries (Practitioner, PractitionerRole, Organization, Location, Medication) of these organisations. */
async function loadDirectory(scope: DataScope, organisationIds: string[]): Promise<RecordDirectoryEntry[]> {
  if (organisationIds.length === 0) return [];
  const rows = await scope.tx
    .selectFrom('directory_resource')
    .select(['id', 'logical_id', 'organisation_id', 'resource_type', 'resource'])
    .where('organisation_id', 'in', organisationIds)
    .execute();
  return rows.map((d) => ({
    id: d.id,
    logicalId: d.logical_id,
    organisationId: d.organisation_id,
    resourceType: d.resource_type,
    resource: d.resource,
  }));
}

/** Resolves references of these resources within each one's organisation. */
export async function resolverFor(scope: DataScope, resources: StoredResource[]): Promise<Resolver> {
  const orgs = [...new Set(resources.map((r) => r.organisationId))];
  return new Resolver(resources, await loadDirectory(scope, orgs));
}

async function labCounts(scope: DataScope, citizen: Citizen): Promise<Map<string, number>> {
  const all = await countsByProvider(scope.tx, citizen.citizenId, { categories: ['lab'] });
  return new Map([...all].map(([org, m]) => [org, m.get('lab') ?? 0]));
}

// ---------------------------------------------------------------------------------------------------------------
// One lab test over time
// ---------------------------------------------------------------------------------------------------------------
function sameTest(chosen: Observation, other: Observation): boolean {
  const keys = codingKeys(chosen.code);
  if (keys.length > 0) {
    const otherKeys = new Set(codingKeys(other.code));
    return keys.some((k) => otherKeys.has(k));
  }
  const text = conceptText(chosen.code);
  return text !== null && text === conceptText(other.code);
}

// Content types a browser may receive as such; anything else is delivered as an opaque file.
const DOWNLOAD_TYPES: Record<string, string> = {
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** A file name safe in a header on every platform: ASCII letters, digits, dashes; the right extension. */
export function downloadName(title: string | null | undefined, contentType: string, fallback: string): string {
  const ext = DOWNLOAD_TYPES[contentType.split(';')[0]?.trim() ?? ''] ?? 'bin';
  const base = (title ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .replace(/[^A-Za-z0-9._ -]+/g, ' ')
    .replace(/[\s.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${base || fallback}.${ext}`;
}

const positionParam = z.coerce.number().int().min(0).max(999);

function sectionParam(req: FastifyRequest): DossierSection {
  const s = (req.params as { section?: unknown }).section;
  if (!isSection(s)) throw new HttpError(404, 'notFound');
  return s;
}

export function registerDossier(app: FastifyInstance): void {
  app.get('/dossier', async (req, reply) => {
    const citizen = requireCitizen(req);
    const org = parseOrgFilter(req.query);
    const data = await req.withData(async (scope) => {
      const { providers, inScope } = await begin(scope, citizen, { resourceType: 'dossier', org });
      const counts = await countsByProvider(scope.tx, citizen.citizenId);
      return { providers, inScope, counts };
    });
    const ctx = pageContext(req);
    return sendPage(reply, <OverviewPage ctx={ctx} org={org} {...data} />);
  });

  app.get('/dossier/:section', async (req, reply) => {
    const citizen = requireCitizen(req);
    const section = sectionParam(req);
    const org = parseOrgFilter(req.query);
    const ctx = pageContext(req);
    const page = await req.withData((scope) => renderSection(ctx, scope, citizen, section, org));
    return sendPage(reply, page);
  });

  app.get('/dossier/lab/:id', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = parseResourceId((req.params as { id?: unknown }).id);
    const ctx = pageContext(req);
    const page = await req.withData(async (scope) => {
      const { providers } = await begin(scope, citizen, { resourceType: 'lab', resourceId: id });
      const keys = { tx: scope.tx, keys: scope.keys };
      const [chosen] = await readResources(keys, { citizenId: citizen.citizenId, ids: [id], categories: ['lab'] });
      if (!chosen || chosen.resourceType !== 'Observation') throw new HttpError(404, 'notFound');
      const observation = chosen.resource as unknown as Observation;
      const sameOrg = await readResources(keys, {
        citizenId: citizen.citizenId,
        categories: ['lab'],
        resourceTypes: ['Observation'],
        organisationIds: [chosen.organisationId],
      });
      const rows = sameOrg
        .filter((r) => r.id === chosen.id || sameTest(observation, r.resource as unknown as Observation))
        .map((r) => labRow(ctx, r));
      // Issue 13 (LU-3): the citizen's own notes about this result, and a link to add one.
      const notes = await notesAbout(scope, { kind: 'record', id });
      return (
        <LabDetailPage
          ctx={ctx}
          providers={providers}
          chosen={labRow(ctx, chosen)}
          rows={rows}
          observation={observation}
          notes={<NotesHere ctx={ctx} link={{ kind: 'record', id }} notes={notes} />}
        />
      );
    });
    return sendPage(reply, page);
  });

  app.get('/dossier/vitals/:kind', async (req, reply) => {
    const citizen = requireCitizen(req);
    const kind = (req.params as { kind?: unknown }).kind;
    if (!isVitalKind(kind)) throw new HttpError(404, 'notFound');
    const org = parseOrgFilter(req.query);
    const ctx = pageContext(req);
    const page = await req.withData(async (scope) => {
      const { providers } = await begin(scope, citizen, { resourceType: 'vitals', org });
      const resources = await readResources(
        { tx: scope.tx, keys: scope.keys },
        { citizenId: citizen.citizenId, categories: ['vitals'], resourceTypes: ['Observation'], ...orgIds(org) },
      );
      const resolver = await resolverFor(scope, resources);
      const members = memberIds(resources, resolver);
      const chosen = resources.filter(
        (r) =>
          r.resource.status !== 'entered-in-error' &&
          !members.has(r.id) &&
          vitalKind(r.resource as unknown as Observation) === kind,
      );
      if (chosen.length === 0) throw new HttpError(404, 'notFound');
      return (
        <VitalDetailPage
          ctx={ctx}
          providers={providers}
          kind={kind}
          rows={chosen.map((r) => vitalRow(ctx, r, resolver))}
        />
      );
    });
    return sendPage(reply, page);
  });

  app.get('/dossier/documents/:id', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = parseResourceId((req.params as { id?: unknown }).id);
    const ctx = pageContext(req);
    const page = await req.withData(async (scope) => {
      const { providers } = await begin(scope, citizen, { resourceType: 'documents', resourceId: id });
      const [stored] = await readResources(
        { tx: scope.tx, keys: scope.keys },
        { citizenId: citizen.citizenId, ids: [id], categories: ['documents'] },
      );
      if (!stored || stored.resourceType !== 'DocumentReference') throw new HttpError(404, 'notFound');
      const attachments = await listAttachments(scope.tx, [id]);
      const texts = new Map<number, string>();
      for (const a of attachments) {
        if (fileKind(a.contentType) !== 'text' || a.byteSize > INLINE_TEXT_LIMIT) continue;
        const file = await readAttachment({ tx: scope.tx, keys: scope.keys }, id, a.position);
        if (file) texts.set(a.position, file.data.toString('utf8'));
      }
      return (
        <DocumentPage
          ctx={ctx}
          providers={providers}
          stored={stored}
          row={documentRow(ctx, stored, attachments)}
          texts={texts}
        />
      );
    });
    return sendPage(reply, page);
  });

  app.get('/dossier/documents/:id/:position', async (req, reply) => {
    const citizen = requireCitizen(req);
    const params = req.params as { id?: unknown; position?: unknown };
    const id = parseResourceId(params.id);
    const position = positionParam.safeParse(params.position);
    if (!position.success || !/^\d{1,3}$/.test(String(params.position))) throw new HttpError(404, 'notFound');
    const file = await req.withData(async (scope) => {
      await begin(scope, citizen, {
        event: DOWNLOAD_EVENT,
        resourceType: 'documents',
        resourceId: id,
        reason: `attachment:${position.data}`,
      });
      const [stored] = await readResources(
        { tx: scope.tx, keys: scope.keys },
        { citizenId: citizen.citizenId, ids: [id], categories: ['documents'] },
      );
      if (!stored || stored.resourceType !== 'DocumentReference') throw new HttpError(404, 'notFound');
      const data = await readAttachment({ tx: scope.tx, keys: scope.keys }, id, position.data);
      if (!data) throw new HttpError(404, 'notFound');
      const d = stored.resource as unknown as DocumentReference;
      const attachment = d.content?.[position.data]?.attachment;
      return { ...data, title: attachment?.title ?? d.description ?? null };
    });
    const baseType = file.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    const type = DOWNLOAD_TYPES[baseType]
      ? baseType === 'text/plain'
        ? 'text/plain; charset=utf-8'
        : baseType
      : 'application/octet-stream';
    const name = downloadName(file.title, baseType, 'document');
    return reply
      .code(200)
      .header('Content-Type', type)
      .header('Content-Disposition', `attachment; filename="${name}"`)
      .header('Content-Length', String(file.data.length))
      .header('Cache-Control', 'no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .send(file.data);
  });
}

export { Html };
