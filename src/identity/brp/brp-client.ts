// The identity source behind the citizen login: who is this BSN according to the BRP (Basisregistratie Personen)?
// Shaped after the Haal Centraal "BRP Personen bevragen" API 2.x (RvIG; ../shared/reference/brp-personen-openapi-2.7.0.json):
// POST {base}/personen with {type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [bsn], fields: [...]},
// header X-API-KEY. `fields` asks for exactly the data PZ-2 lists, nothing else (data minimisation), and the answer
// is validated with zod, which also drops anything we did not ask for before it is stored.
// Two implementations: HttpBrpClient (a real BRP API, or Koepel's fixture endpoint) and FixtureBrpClient (the
// embedded test persons, in-process). A deployment that verifies BSNs through SBV-Z instead plugs in another.
import { z } from 'zod';
import type { Bsn } from '../bsn.js';
import type { BrpDatum, BrpPerson, BrpVerblijfplaats } from './fixture-persons.js';
import { httpsFetch, type BrpTls } from './https-fetch.js';

export type { BrpPerson };

export interface IdentitySource {
  /** The person with this BSN, or null when the BRP does not know them. Throws BrpError when the BRP cannot answer. */
  fetchPerson(bsn: Bsn): Promise<BrpPerson | null>;
}
/** The Haal Centraal BRP API is Koepel's identity source; the two names mean the same interface. */
export type BrpClient = IdentitySource;

export type BrpErrorKind = 'unreachable' | 'refused' | 'invalid-response' | 'unsupported-person';

/**
 * A BRP failure. The message never carries personal data: only the kind, the HTTP status, the API's error code and,
 * when no answer came, the network or TLS error code (`reason`: ECONNREFUSED, TIMEOUT, CERT_HAS_EXPIRED, …).
 */
export class BrpError extends Error {
  constructor(
    readonly kind: BrpErrorKind,
    readonly status: number | null = null,
    readonly code: string | null = null,
    readonly reason: string | null = null,
  ) {
    super(
      `BRP ${kind}${status !== null ? ` (HTTP ${status}${code ? `, ${code}` : ''})` : reason ? ` (${reason})` : ''}`,
    );
    this.name = 'BrpError';
  }
}

/**
 * TLS alerts with which the BRP's server turns down Koepel's client certificate (or its absence): the BRP refused
 * the connection, it is not unreachable.
 */
const CLIENT_CERT_REFUSED =
  /^ERR_SSL_(?:TLSV13|TLSV1|SSLV3)_ALERT_(?:CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|ACCESS_DENIED|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|HANDSHAKE_FAILURE)$/;
/** Koepel could not verify the BRP's server certificate. */
const SERVER_CERT_UNTRUSTED =
  /^(?:UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|CERT_UNTRUSTED)$/;

/** The network or TLS error code of a failed request (never its message), as far as it is one. */
function networkReason(err: unknown): string {
  const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown } };
  if (e.name === 'TimeoutError') return 'TIMEOUT';
  if (e.name === 'AbortError') return 'ABORTED';
  // Node's fetch: TypeError('fetch failed') with the socket's error as cause; httpsFetch: the code itself.
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : null;
  return code && /^[A-Z0-9_]{1,80}$/.test(code) ? code : 'ERR_NETWORK';
}

/** A line for the operator on what to check, for the failures that are a matter of configuration. */
export function brpFailureHint(e: BrpError): string | undefined {
  if (e.status === 401 || e.status === 403)
    return 'the BRP refused Koepel: check KOEPEL_BRP_API_KEY, and the client certificate if the supplier requires one';
  if (e.reason && CLIENT_CERT_REFUSED.test(e.reason))
    return 'the BRP refused the TLS connection: it requires a client certificate it trusts (KOEPEL_BRP_CLIENT_CERT_FILE, KOEPEL_BRP_CLIENT_KEY_FILE)';
  if (e.reason && SERVER_CERT_UNTRUSTED.test(e.reason))
    return "Koepel does not trust the BRP's server certificate: check KOEPEL_BRP_URL, or add the supplier's CA with KOEPEL_BRP_CA_FILE";
  if (e.reason === 'ECONNRESET' || e.reason === 'ECONNABORTED' || e.reason === 'EPIPE')
    return "the BRP closed the connection: if the supplier requires mutual TLS, check that it accepts Koepel's client certificate (KOEPEL_BRP_CLIENT_CERT_FILE)";
  if (e.status === 400 && e.code === null)
    return 'HTTP 400 without a BRP error code: often a proxy in front of the BRP that did not accept the client certificate';
  if (e.reason === 'TIMEOUT') return 'the BRP did not answer in time';
  return undefined;
}

/**
 * Exactly the fields PZ-2 names: BSN, names, gender, birth date, residence (whichever variant: an address in the
 * Netherlands, abroad, a `Locatie`), and the BRP's own adressering (address lines and how to address the person).
 * geheimhoudingPersoonsgegevens is delivered unasked and may not be put in `fields` (the API answers 400).
 */
export const BRP_FIELDS: readonly string[] = [
  'burgerservicenummer',
  'naam.voornamen',
  'naam.voorletters',
  'naam.voorvoegsel',
  'naam.adellijkeTitelPredicaat',
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
  'verblijfplaats.verblijfadres.regel1',
  'verblijfplaats.verblijfadres.regel2',
  'verblijfplaats.verblijfadres.regel3',
  'verblijfplaats.verblijfadres.land',
  'verblijfplaats.verblijfadres.locatiebeschrijving',
  'adressering.aanhef',
  'adressering.aanschrijfwijze',
  'adressering.gebruikInLopendeTekst',
  'adressering.adresregel1',
  'adressering.adresregel2',
  'adressering.adresregel3',
  'adressering.land',
];

export function personenQuery(bsn: Bsn) {
  return { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [bsn], fields: [...BRP_FIELDS] };
}

// ---- Response schema: the parts of the OpenAPI "Persoon" that Koepel asks for ---------------------------------
// Every variant the spec allows is accepted (verblijfplaats Adres/VerblijfplaatsBuitenland/VerblijfplaatsOnbekend/
// Locatie, dates Datum/JaarMaandDatum/JaarDatum/DatumOnbekend, any name part missing); the contract test
// (brp-contract.test.ts) checks the fixture's answers against the official OpenAPI itself.

const waardetabel = z.object({ code: z.string().max(10).optional(), omschrijving: z.string().max(200).optional() });
const langFormaat = z.string().max(40);
const datum = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Datum'), datum: z.iso.date(), langFormaat }),
  z.object({
    type: z.literal('JaarMaandDatum'),
    jaar: z.number().int().min(1).max(9999),
    maand: z.number().int().min(1).max(12),
    langFormaat,
  }),
  z.object({ type: z.literal('JaarDatum'), jaar: z.number().int().min(1).max(9999), langFormaat }),
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
const verblijfplaats = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Adres'), verblijfadres: verblijfadresBinnenland.optional() }),
  z.object({
    type: z.literal('VerblijfplaatsBuitenland'),
    verblijfadres: z
      .object({
        regel1: text(40).optional(),
        regel2: text(50).optional(),
        regel3: text(35).optional(),
        land: waardetabel.optional(),
      })
      .optional(),
  }),
  z.object({ type: z.literal('VerblijfplaatsOnbekend') }),
  z.object({
    type: z.literal('Locatie'),
    verblijfadres: z.object({ locatiebeschrijving: text(35).optional() }).optional(),
  }),
]);
export const persoonSchema = z.object({
  burgerservicenummer: z.string().regex(/^[0-9]{9}$/),
  naam: z
    .object({
      voornamen: text(200).optional(),
      voorletters: text(40).optional(),
      voorvoegsel: text(10).optional(),
      adellijkeTitelPredicaat: waardetabel.extend({ soort: z.string().max(20).optional() }).optional(),
      geslachtsnaam: text(200).optional(),
      volledigeNaam: text(400).optional(),
    })
    .optional(),
  geslacht: waardetabel.optional(),
  geboorte: z.object({ datum: datum.optional() }).optional(),
  verblijfplaats: verblijfplaats.optional(),
  adressering: z
    .object({
      aanhef: text(650).optional(),
      aanschrijfwijze: z.object({ naam: text(650).optional(), aanspreekvorm: text(25).optional() }).optional(),
      gebruikInLopendeTekst: text(650).optional(),
      adresregel1: text(80).optional(),
      adresregel2: text(80).optional(),
      adresregel3: text(80).optional(),
      land: waardetabel.optional(),
    })
    .optional(),
  geheimhoudingPersoonsgegevens: z.boolean().optional(),
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

const UNKNOWN_DATE: BrpDatum = { type: 'DatumOnbekend', onbekend: true, langFormaat: 'onbekend' };

function toDatum(d: z.infer<typeof datum> | undefined): BrpDatum {
  if (!d) return UNKNOWN_DATE;
  switch (d.type) {
    case 'Datum':
      return { type: 'Datum', datum: d.datum, langFormaat: d.langFormaat };
    case 'JaarMaandDatum':
      return { type: 'JaarMaandDatum', jaar: d.jaar, maand: d.maand, langFormaat: d.langFormaat };
    case 'JaarDatum':
      return { type: 'JaarDatum', jaar: d.jaar, langFormaat: d.langFormaat };
    case 'DatumOnbekend':
      return { type: 'DatumOnbekend', onbekend: d.onbekend ?? true, langFormaat: d.langFormaat };
  }
}

function toVerblijfplaats(v: Persoon['verblijfplaats']): BrpVerblijfplaats {
  switch (v?.type) {
    case 'Adres': {
      const a = v.verblijfadres;
      const street = a?.officieleStraatnaam ?? a?.korteStraatnaam;
      // An address in the Netherlands that lacks what makes it an address is shown as unknown, not guessed at.
      if (!a || !street || !a.huisnummer || !a.postcode || !a.woonplaats) return { type: 'VerblijfplaatsOnbekend' };
      return {
        type: 'Adres',
        verblijfadres: {
          officieleStraatnaam: a.officieleStraatnaam ?? street,
          korteStraatnaam: a.korteStraatnaam ?? street,
          huisnummer: a.huisnummer,
          ...(a.huisletter ? { huisletter: a.huisletter } : {}),
          ...(a.huisnummertoevoeging ? { huisnummertoevoeging: a.huisnummertoevoeging } : {}),
          postcode: a.postcode.replace(' ', '').toUpperCase(),
          woonplaats: a.woonplaats,
        },
      };
    }
    case 'VerblijfplaatsBuitenland': {
      const a = v.verblijfadres ?? {};
      const land =
        a.land?.code && a.land.omschrijving ? { code: a.land.code, omschrijving: a.land.omschrijving } : null;
      return {
        type: 'VerblijfplaatsBuitenland',
        verblijfadres: {
          ...(a.regel1 ? { regel1: a.regel1 } : {}),
          ...(a.regel2 ? { regel2: a.regel2 } : {}),
          ...(a.regel3 ? { regel3: a.regel3 } : {}),
          ...(land ? { land } : {}),
        },
      };
    }
    case 'Locatie':
      return {
        type: 'Locatie',
        verblijfadres: v.verblijfadres?.locatiebeschrijving
          ? { locatiebeschrijving: v.verblijfadres.locatiebeschrijving }
          : {},
      };
    default:
      return { type: 'VerblijfplaatsOnbekend' };
  }
}

/**
 * Turns a validated BRP answer into the snapshot Koepel keeps (fixture-persons.ts BrpPerson). Every variant of the
 * spec is kept as it is (an address abroad, a `Locatie`, no address, a partial or unknown birth date, missing name
 * parts). Only a person without any name at all is refused as 'unsupported-person': the login then keeps the
 * snapshot it already has.
 */
export function toBrpPerson(p: Persoon): BrpPerson {
  const naam = p.naam ?? {};
  const voornamen = naam.voornamen;
  const voorletters =
    naam.voorletters ??
    (voornamen
      ? voornamen
          .split(' ')
          .filter(Boolean)
          .map((v) => `${v[0] ?? ''}.`)
          .join('')
      : undefined);
  const achternaam = [naam.voorvoegsel, naam.geslachtsnaam].filter(Boolean).join(' ');
  const volledigeNaam = naam.volledigeNaam ?? [voornamen, achternaam].filter(Boolean).join(' ');
  // The BRP writes "." for a surname it does not know; a person with no name at all cannot be shown or greeted.
  const geslachtsnaam = naam.geslachtsnaam ?? (volledigeNaam ? '.' : undefined);
  if (!geslachtsnaam || !volledigeNaam) throw new BrpError('unsupported-person');
  const code = p.geslacht?.code;
  const geslacht: BrpPerson['geslacht'] =
    code === 'M'
      ? { code: 'M', omschrijving: 'man' }
      : code === 'V'
        ? { code: 'V', omschrijving: 'vrouw' }
        : { code: 'O', omschrijving: 'onbekend' };
  const titel = naam.adellijkeTitelPredicaat;
  const a = p.adressering ?? {};
  const verblijfplaats = toVerblijfplaats(p.verblijfplaats);
  const nlAddress = verblijfplaats.type === 'Adres' ? verblijfplaats.verblijfadres : null;
  const addition = nlAddress ? [nlAddress.huisletter, nlAddress.huisnummertoevoeging].filter(Boolean).join('') : '';
  const adresregel1 =
    a.adresregel1 ??
    (nlAddress ? `${nlAddress.korteStraatnaam} ${nlAddress.huisnummer}${addition ? ` ${addition}` : ''}` : undefined);
  const adresregel2 =
    a.adresregel2 ??
    (nlAddress
      ? `${nlAddress.postcode.slice(0, 4)} ${nlAddress.postcode.slice(4)}  ${nlAddress.woonplaats.toUpperCase()}`
      : undefined);
  const land =
    a.land?.code && a.land.omschrijving
      ? { code: a.land.code, omschrijving: a.land.omschrijving }
      : nlAddress
        ? { code: '6030', omschrijving: 'Nederland' }
        : undefined;
  const aanschrijfwijze = a.aanschrijfwijze?.naam
    ? {
        naam: a.aanschrijfwijze.naam,
        ...(a.aanschrijfwijze.aanspreekvorm ? { aanspreekvorm: a.aanschrijfwijze.aanspreekvorm } : {}),
      }
    : undefined;
  return {
    burgerservicenummer: p.burgerservicenummer,
    naam: {
      ...(voornamen ? { voornamen } : {}),
      ...(voorletters ? { voorletters } : {}),
      ...(naam.voorvoegsel ? { voorvoegsel: naam.voorvoegsel } : {}),
      ...(titel?.code && titel.omschrijving
        ? {
            adellijkeTitelPredicaat: {
              code: titel.code,
              omschrijving: titel.omschrijving,
              ...(titel.soort ? { soort: titel.soort } : {}),
            },
          }
        : {}),
      geslachtsnaam,
      volledigeNaam,
    },
    geslacht,
    geboorte: { datum: toDatum(p.geboorte?.datum) },
    verblijfplaats,
    adressering: {
      ...(a.aanhef ? { aanhef: a.aanhef } : {}),
      ...(aanschrijfwijze ? { aanschrijfwijze } : {}),
      ...(a.gebruikInLopendeTekst ? { gebruikInLopendeTekst: a.gebruikInLopendeTekst } : {}),
      ...(adresregel1 ? { adresregel1 } : {}),
      ...(adresregel2 ? { adresregel2 } : {}),
      ...(a.adresregel3 ? { adresregel3: a.adresregel3 } : {}),
      ...(land ? { land } : {}),
    },
    ...(p.geheimhoudingPersoonsgegevens === true ? { geheimhoudingPersoonsgegevens: true } : {}),
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

  private readonly fetch: FetchLike;

  /**
   * `tls`: a client certificate (mutual TLS) and/or an extra CA for the BRP's server certificate (config.brp). With
   * either, requests go through node:https with those settings (https-fetch.ts); without, through Node's fetch.
   */
  constructor(
    private readonly opts: {
      url: string;
      apiKey: string | undefined;
      tls?: BrpTls;
      fetch?: FetchLike;
      timeoutMs?: number;
    },
  ) {
    this.endpoint = `${opts.url.replace(/\/$/, '')}/personen`;
    this.fetch =
      opts.fetch ??
      (opts.tls && (opts.tls.clientCert || opts.tls.ca) ? httpsFetch(opts.tls) : (url, init) => fetch(url, init));
  }

  async fetchPerson(bsn: Bsn): Promise<BrpPerson | null> {
    const doFetch = this.fetch;
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
    } catch (err) {
      const reason = networkReason(err);
      throw new BrpError(CLIENT_CERT_REFUSED.test(reason) ? 'refused' : 'unreachable', null, null, reason);
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
