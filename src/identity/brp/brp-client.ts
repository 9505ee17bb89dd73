// The identity source behind the citizen login: who is this BSN according to the BRP (Basisregistratie Personen)?
// Shaped after the Haal Centraal "BRP Personen bevragen" API 2.x (RvIG; ../shared/reference/brp-personen-openapi-2.7.0.json):
// POST {base}/personen with {type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [bsn], fields: [...]},
// header X-API-KEY. `fields` asks for exactly the data PZ-2 lists, nothing else (data minimisation), and the answer
// is validated with zod, which also drops anything we did not ask for before it is stored.
// Two implementations: HttpBrpClient (a real BRP API, or Koepel's fixture endpoint) and FixtureBrpClient (the
// embedded test persons, in-process). A deployment that verifies BSNs through SBV-Z instead plugs in another.
import { z } from 'zod';
import type { Bsn } from '../bsn.js';
import type { BrpPerson } from './fixture-persons.js';

export type { BrpPerson };

export interface IdentitySource {
  /** The person with this BSN, or null when the BRP does not know them. Throws BrpError when the BRP cannot answer. */
  fetchPerson(bsn: Bsn): Promise<BrpPerson | null>;
}
/** The Haal Centraal BRP API is Koepel's identity source; the two names mean the same interface. */
export type BrpClient = IdentitySource;

export type BrpErrorKind = 'unreachable' | 'refused' | 'invalid-response' | 'unsupported-person';

/** A BRP failure. The message never carries personal data: only the kind, the HTTP status and the API's error code. */
export class BrpError extends Error {
  constructor(
    readonly kind: BrpErrorKind,
    readonly status: number | null = null,
    readonly code: string | null = null,
  ) {
    super(`BRP ${kind}${status !== null ? ` (HTTP ${status}${code ? `, ${code}` : ''})` : ''}`);
    this.name = 'BrpError';
  }
}

/** Exactly the fields PZ-2 names: BSN, names, gender, birth date, address (and the BRP's own address lines). */
export const BRP_FIELDS: readonly string[] = [
  'burgerservicenummer',
  'naam.voornamen',
  'naam.voorletters',
  'naam.voorvoegsel',
  'naam.geslachtsnaam',
  'naam.volledigeNaam',
  'geslacht',
  'geboorte.datum',
  'verblijfplaats.verblijfadres.officieleStraatnaam',
  'verblijfplaats.verblijfadres.korteStraatnaam',
  'verblijfplaats.verblijfadres.huisnummer',
  'verblijfplaats.verblijfadres.huisletter',
  'verblijfplaats.verblijfadres.huisnummertoevoeging',
  'verblijfplaats.verblijfadres.postcode',
  'verblijfplaats.verblijfadres.woonplaats',
  'adressering.adresregel1',
  'adressering.adresregel2',
  'adressering.land',
];

export function personenQuery(bsn: Bsn) {
  return { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [bsn], fields: [...BRP_FIELDS] };
}

// ---- Response schema: the parts of the OpenAPI "Persoon" that Koepel asks for ---------------------------------

const waardetabel = z.object({ code: z.string().max(10).optional(), omschrijving: z.string().max(200).optional() });
const langFormaat = z.string().max(40);
const datum = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Datum'), datum: z.iso.date(), langFormaat }),
  z.object({ type: z.literal('JaarMaandDatum'), jaar: z.number().int(), maand: z.number().int(), langFormaat }),
  z.object({ type: z.literal('JaarDatum'), jaar: z.number().int(), langFormaat }),
  z.object({ type: z.literal('DatumOnbekend'), onbekend: z.boolean().optional(), langFormaat }),
]);
const text = (max: number) => z.string().min(1).max(max);
const verblijfadresBinnenland = z.object({
  officieleStraatnaam: text(80).optional(),
  korteStraatnaam: text(24).optional(),
  huisnummer: z.number().int().min(1).max(99999).optional(),
  huisletter: z
    .string()
    .regex(/^[a-zA-Z]$/)
    .optional(),
  huisnummertoevoeging: z.string().max(4).optional(),
  postcode: z
    .string()
    .regex(/^[1-9][0-9]{3} ?[A-Za-z]{2}$/)
    .optional(),
  woonplaats: text(80).optional(),
});
const verblijfplaats = z.union([
  z.object({ type: z.literal('Adres'), verblijfadres: verblijfadresBinnenland.optional() }),
  z.object({ type: z.enum(['VerblijfplaatsBuitenland', 'VerblijfplaatsOnbekend', 'Locatie']) }),
]);
export const persoonSchema = z.object({
  burgerservicenummer: z.string().regex(/^[0-9]{9}$/),
  naam: z
    .object({
      voornamen: text(200).optional(),
      voorletters: text(40).optional(),
      voorvoegsel: text(10).optional(),
      geslachtsnaam: text(200).optional(),
      volledigeNaam: text(400).optional(),
    })
    .optional(),
  geslacht: waardetabel.optional(),
  geboorte: z.object({ datum: datum.optional() }).optional(),
  verblijfplaats: verblijfplaats.optional(),
  adressering: z
    .object({
      adresregel1: text(80).optional(),
      adresregel2: text(80).optional(),
      land: waardetabel.optional(),
    })
    .optional(),
});
export type Persoon = z.infer<typeof persoonSchema>;

export const personenResponseSchema = z.object({
  type: z.literal('RaadpleegMetBurgerservicenummer'),
  personen: z.array(persoonSchema).max(20).default([]),
});

/** RFC 7807 problem details as the BRP API sends them ("Foutbericht"). */
export const foutberichtSchema = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().int().optional(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: z
    .string()
    .regex(/^[a-zA-Z0-9]{1,25}$/)
    .optional(),
});

/**
 * Turns a validated BRP answer into the snapshot Koepel keeps (fixture-persons.ts BrpPerson). A person whose data
 * does not fit (no surname, no full birth date, no Dutch address) is refused as 'unsupported-person': the login
 * then keeps the snapshot it already has.
 */
export function toBrpPerson(p: Persoon): BrpPerson {
  const naam = p.naam;
  const birth = p.geboorte?.datum;
  const place = p.verblijfplaats;
  const address = place && place.type === 'Adres' ? place.verblijfadres : undefined;
  if (
    !naam?.geslachtsnaam ||
    birth?.type !== 'Datum' ||
    !address?.huisnummer ||
    !address.postcode ||
    !address.woonplaats
  ) {
    throw new BrpError('unsupported-person');
  }
  const street = address.officieleStraatnaam ?? address.korteStraatnaam;
  if (!street) throw new BrpError('unsupported-person');
  const voornamen = naam.voornamen ?? '';
  const voorletters =
    naam.voorletters ??
    voornamen
      .split(' ')
      .filter(Boolean)
      .map((v) => `${v[0] ?? ''}.`)
      .join('');
  const achternaam = [naam.voorvoegsel, naam.geslachtsnaam].filter(Boolean).join(' ');
  const postcode = address.postcode.replace(' ', '').toUpperCase();
  const addition = [address.huisletter, address.huisnummertoevoeging].filter(Boolean).join('');
  const code = p.geslacht?.code;
  const geslacht: BrpPerson['geslacht'] =
    code === 'M'
      ? { code: 'M', omschrijving: 'man' }
      : code === 'V'
        ? { code: 'V', omschrijving: 'vrouw' }
        : { code: 'O', omschrijving: 'onbekend' };
  return {
    burgerservicenummer: p.burgerservicenummer,
    naam: {
      voornamen,
      voorletters,
      ...(naam.voorvoegsel ? { voorvoegsel: naam.voorvoegsel } : {}),
      geslachtsnaam: naam.geslachtsnaam,
      volledigeNaam: naam.volledigeNaam ?? [voornamen, achternaam].filter(Boolean).join(' '),
    },
    geslacht,
    geboorte: { datum: { type: 'Datum', datum: birth.datum, langFormaat: birth.langFormaat } },
    verblijfplaats: {
      type: 'Adres',
      verblijfadres: {
        officieleStraatnaam: address.officieleStraatnaam ?? street,
        korteStraatnaam: address.korteStraatnaam ?? street,
        huisnummer: address.huisnummer,
        ...(address.huisletter ? { huisletter: address.huisletter } : {}),
        ...(address.huisnummertoevoeging ? { huisnummertoevoeging: address.huisnummertoevoeging } : {}),
        postcode,
        woonplaats: address.woonplaats,
      },
    },
    adressering: {
      adresregel1: p.adressering?.adresregel1 ?? `${street} ${address.huisnummer}${addition ? ` ${addition}` : ''}`,
      adresregel2:
        p.adressering?.adresregel2 ??
        `${postcode.slice(0, 4)} ${postcode.slice(4)}  ${address.woonplaats.toUpperCase()}`,
      land: {
        code: p.adressering?.land?.code ?? '6030',
        omschrijving: p.adressering?.land?.omschrijving ?? 'Nederland',
      },
    },
  };
}

/** Validates a 200 answer to a RaadpleegMetBurgerservicenummer query for one BSN. */
export function personFromResponse(json: unknown, bsn: Bsn): BrpPerson | null {
  const parsed = personenResponseSchema.safeParse(json);
  if (!parsed.success) throw new BrpError('invalid-response');
  const { personen } = parsed.data;
  if (personen.length === 0) return null;
  const [only] = personen;
  // One BSN asked, so one person back, and it must be the one asked for.
  if (personen.length > 1 || !only || only.burgerservicenummer !== bsn) throw new BrpError('invalid-response');
  return toBrpPerson(only);
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** A client for a Haal Centraal BRP Personen API (a real one, or Koepel's fixture endpoint). */
export class HttpBrpClient implements IdentitySource {
  private readonly endpoint: string;

  constructor(
    private readonly opts: { url: string; apiKey: string | undefined; fetch?: FetchLike; timeoutMs?: number },
  ) {
    this.endpoint = `${opts.url.replace(/\/$/, '')}/personen`;
  }

  async fetchPerson(bsn: Bsn): Promise<BrpPerson | null> {
    const doFetch: FetchLike = this.opts.fetch ?? ((url, init) => fetch(url, init));
    let res: Response;
    try {
      res = await doFetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          accept: 'application/json',
          ...(this.opts.apiKey ? { 'x-api-key': this.opts.apiKey } : {}),
        },
        body: JSON.stringify(personenQuery(bsn)),
        redirect: 'error',
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch {
      throw new BrpError('unreachable');
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const problem = foutberichtSchema.safeParse(json);
      throw new BrpError(
        res.status >= 500 ? 'unreachable' : 'refused',
        res.status,
        problem.success ? (problem.data.code ?? null) : null,
      );
    }
    if (json === undefined) throw new BrpError('invalid-response', res.status);
    return personFromResponse(json, bsn);
  }
}
