// The embedded fixture BRP: answers "BRP Personen bevragen" queries from FIXTURE_PERSONS, for the demo and tests.
// It behaves like the real API where Koepel depends on it: X-API-KEY required, `fields` required and honoured (only
// the asked fields come back), unknown fields and bad BSNs refused with RFC 7807 problem details.
// Mounted as POST /brp-fixture/personen while the DigiD simulator is on, so that HttpBrpClient is exercised for real.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Bsn } from '../bsn.js';
import { personFromResponse, personenQuery, type BrpPerson, type IdentitySource } from './brp-client.js';
import { FIXTURE_PERSONS } from './fixture-persons.js';

export const FIXTURE_BRP_PATH = '/brp-fixture';
/** The fixture's API key when none is configured (KOEPEL_BRP_API_KEY). Not a secret: test data only. */
export const FIXTURE_BRP_API_KEY = 'koepel-fixture-brp';

const ADDRESS_PARTS = [
  // Adres (VerblijfadresBinnenland)
  'officieleStraatnaam',
  'korteStraatnaam',
  'huisnummer',
  'huisletter',
  'huisnummertoevoeging',
  'postcode',
  'woonplaats',
  // VerblijfplaatsBuitenland (VerblijfadresBuitenland)
  'regel1',
  'regel2',
  'regel3',
  'land',
  // Locatie (VerblijfadresLocatie)
  'locatiebeschrijving',
];
/** The field paths the fixture knows (a group path such as "naam" selects the whole group). */
export const FIXTURE_FIELDS: ReadonlySet<string> = new Set([
  'burgerservicenummer',
  'naam',
  ...['voornamen', 'voorletters', 'voorvoegsel', 'adellijkeTitelPredicaat', 'geslachtsnaam', 'volledigeNaam'].map(
    (f) => `naam.${f}`,
  ),
  'geslacht',
  'geslacht.code',
  'geslacht.omschrijving',
  'geboorte',
  'geboorte.datum',
  'verblijfplaats',
  'verblijfplaats.verblijfadres',
  ...ADDRESS_PARTS.map((f) => `verblijfplaats.verblijfadres.${f}`),
  'adressering',
  ...['aanhef', 'aanschrijfwijze', 'gebruikInLopendeTekst', 'adresregel1', 'adresregel2', 'adresregel3', 'land'].map(
    (f) => `adressering.${f}`,
  ),
]);
/** Delivered without being asked, and refused in `fields` (as the real API does): see the spec's `fields`. */
const AUTOMATIC_FIELDS: ReadonlySet<string> = new Set([
  'geheimhoudingPersoonsgegevens',
  'inOnderzoek',
  'opschortingBijhouding',
  'rni',
  'verificatie',
]);

const querySchema = z.object({
  type: z.string(),
  burgerservicenummer: z
    .array(z.string().regex(/^[0-9]{9}$/))
    .min(1)
    .max(20),
  fields: z
    .array(z.string().regex(/^[a-zA-Z0-9._]{1,200}$/))
    .min(1)
    .max(130),
});

export interface FixtureAnswer {
  status: number;
  body: Record<string, unknown>;
}

function problem(
  status: number,
  title: string,
  code: string,
  invalidParams?: { name: string; code: string; reason: string }[],
): FixtureAnswer {
  return {
    status,
    body: {
      type: `https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.${status === 400 ? 1 : status === 401 ? 2 : 4}`,
      title,
      status,
      code,
      ...(invalidParams ? { invalidParams } : {}),
    },
  };
}

type Json = Record<string, unknown>;

function copyPath(src: Json, out: Json, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || !(head in src) || src[head] === undefined) return;
  // Discriminated objects (verblijfplaats, datum) always say what they are, as in the real API.
  if (typeof src.type === 'string') out.type = src.type;
  const value = src[head];
  if (rest.length === 0 || value === null || typeof value !== 'object') {
    out[head] = structuredClone(value);
    return;
  }
  const next = (out[head] ??= {}) as Json;
  copyPath(value as Json, next, rest);
}

/**
 * Only the asked fields of a person, plus what the API delivers unasked (geheimhoudingPersoonsgegevens, only when
 * true). A verblijfplaats always says its type, even when none of the asked fields apply to that variant.
 */
export function selectFields(person: BrpPerson, fields: readonly string[]): Json {
  const out: Json = {};
  const src = person as unknown as Json;
  for (const f of fields) copyPath(src, out, f.split('.'));
  if (person.verblijfplaats && fields.some((f) => f === 'verblijfplaats' || f.startsWith('verblijfplaats.'))) {
    out.verblijfplaats = { type: person.verblijfplaats.type, ...(out.verblijfplaats ?? {}) };
  }
  if (person.geheimhoudingPersoonsgegevens === true) out.geheimhoudingPersoonsgegevens = true;
  return out;
}

/** Answers one POST /personen request body. */
export function queryFixtureBrp(body: unknown): FixtureAnswer {
  const parsed = querySchema.safeParse(body);
  if (!parsed.success) {
    const invalidParams = parsed.error.issues.map((i) => ({
      name: i.path.join('.') || 'body',
      code: i.code,
      reason: 'Parameter is niet geldig.',
    }));
    return problem(400, 'Een of meerdere parameters zijn niet correct.', 'paramsValidation', invalidParams);
  }
  const q = parsed.data;
  if (q.type !== 'RaadpleegMetBurgerservicenummer') {
    return problem(400, 'Een of meerdere parameters zijn niet correct.', 'paramsValidation', [
      { name: 'type', code: 'value', reason: 'Deze fixture kent alleen RaadpleegMetBurgerservicenummer.' },
    ]);
  }
  const unknown = q.fields
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => !FIXTURE_FIELDS.has(f) || AUTOMATIC_FIELDS.has(f.split('.')[0] ?? ''));
  if (unknown.length > 0) {
    return problem(
      400,
      'Een of meerdere parameters zijn niet correct.',
      'paramsValidation',
      unknown.map(({ i }) => ({
        name: `fields[${i}]`,
        code: 'field',
        reason: 'Parameter bevat een niet bestaande veldnaam.',
      })),
    );
  }
  const wanted = new Set(q.burgerservicenummer);
  const personen = FIXTURE_PERSONS.filter((p) => wanted.has(p.burgerservicenummer)).map((p) =>
    selectFields(p, q.fields),
  );
  return { status: 200, body: { type: 'RaadpleegMetBurgerservicenummer', personen } };
}

/** The fixture BRP in-process: the same query, fields and validation as over HTTP, without the network. */
export class FixtureBrpClient implements IdentitySource {
  async fetchPerson(bsn: Bsn): Promise<BrpPerson | null> {
    const answer = queryFixtureBrp(personenQuery(bsn));
    return personFromResponse(answer.body, bsn);
  }
}

function sendProblem(reply: FastifyReply, answer: FixtureAnswer): FastifyReply {
  return reply.code(answer.status).type('application/problem+json').send(answer.body);
}

export function registerFixtureBrpEndpoint(app: FastifyInstance, apiKey: string): void {
  app.post(
    `${FIXTURE_BRP_PATH}/personen`,
    {
      // Authenticated by API key, not by a browser session.
      config: { csrf: false },
      bodyLimit: 16_384,
      errorHandler: (err, _req, reply) => {
        const status =
          typeof (err as { statusCode?: number }).statusCode === 'number'
            ? (err as { statusCode: number }).statusCode
            : 500;
        const answer =
          status >= 500
            ? problem(500, 'Interne fout.', 'serverError')
            : problem(status === 415 ? 415 : 400, 'Het verzoek kon niet worden verwerkt.', 'badRequest');
        void sendProblem(reply, answer);
      },
    },
    async (req, reply) => {
      const key = req.headers['x-api-key'];
      if (typeof key !== 'string' || key !== apiKey) {
        return sendProblem(reply, problem(401, 'Niet correct geauthenticeerd.', 'authentication'));
      }
      const answer = queryFixtureBrp(req.body);
      if (answer.status !== 200) return sendProblem(reply, answer);
      return reply.code(200).type('application/json; charset=utf-8').send(answer.body);
    },
  );
}
