// The medication passport and the current medication overview (MG-8), for the citizen:
//
//   GET /medication/passport                      the page that offers them (linked from "Mijn dossier" › Medicatie)
//   GET /medication/passport.pdf                  the passport: bilingual (Dutch and English), A4, printable
//   GET /medication/overview/<organisation>.pdf   the current medication overview of an organisation that offers
//                                                 it (function 'medication-overview', MG-1) and shows this citizen
//                                                 their medication; any other id (another citizen's pharmacy, a
//                                                 pharmacy without the function, no uuid) is 404
//
// Each download is audited before anything is read (citizen.medication.*.download), then read under the citizen's
// own principal: row-level security decides what is in it, exactly as on the dossier's pages. The file name holds no
// personal data; the answer is never cached and never sniffed.
import Html from '@kitajs/html';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { requireCitizen } from '../platform/auth/permissions.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { FastifyInstance } from 'fastify';
import { offeredOverviews, overviewData, PAGE_EVENT, passportData } from './data.js';
import { overviewDocument, passportDocument } from './documents.js';
import { renderPdf } from './pdf.js';
import { PassportPage } from './views.js';

const overviewFile = z.string().regex(/^[0-9a-fA-F-]{36}\.pdf$/);
const uuid = z.uuid();

/** The organisation id of "<uuid>.pdf"; anything else is simply not found. */
export function overviewOrganisation(file: unknown): string {
  const f = overviewFile.safeParse(file);
  const id = f.success ? uuid.safeParse(f.data.slice(0, -4)) : null;
  if (!id?.success) throw new HttpError(404, 'notFound');
  return id.data.toLowerCase();
}

/** yyyy-mm-dd in the Netherlands: the file name says when, never whose. */
const isoDay = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(d);

function sendPdf(reply: FastifyReply, pdf: Buffer, name: string): FastifyReply {
  return reply
    .code(200)
    .header('Content-Type', 'application/pdf')
    .header('Content-Disposition', `attachment; filename="${name}"`)
    .header('Content-Length', String(pdf.length))
    .header('Cache-Control', 'no-store')
    .header('X-Content-Type-Options', 'nosniff')
    .send(pdf);
}

export function registerMedicationPassport(app: FastifyInstance): void {
  app.get('/medication/passport', async (req, reply) => {
    const citizen = requireCitizen(req);
    const overviews = await req.withData(async (scope) => {
      await scope.audit({ event: PAGE_EVENT, action: 'R', citizenId: citizen.citizenId, resourceType: 'medication' });
      return offeredOverviews(scope, citizen);
    });
    return sendPage(reply, <PassportPage ctx={pageContext(req)} overviews={overviews} />);
  });

  app.get('/medication/passport.pdf', async (req, reply) => {
    const citizen = requireCitizen(req);
    const now = new Date();
    const data = await req.withData((scope) => passportData(scope, citizen, now));
    const { messages } = req.server.koepel;
    const ctx = pageContext(req);
    const spec = passportDocument(
      data,
      { nl: messages.translator('nl'), en: messages.translator('en'), portal: ctx.portal.name },
      now,
    );
    return sendPdf(reply, await renderPdf(spec, now), `medicijnpaspoort-${isoDay(now)}.pdf`);
  });

  app.get('/medication/overview/:file', async (req, reply) => {
    const citizen = requireCitizen(req);
    const organisationId = overviewOrganisation((req.params as { file?: unknown }).file);
    const now = new Date();
    const data = await req.withData((scope) => overviewData(scope, citizen, organisationId, now));
    const ctx = pageContext(req);
    const spec = overviewDocument(data, { t: ctx.t, lang: ctx.lang, portal: ctx.portal.name }, now);
    const name = ctx.lang === 'nl' ? 'actueel-medicatieoverzicht' : 'current-medication-overview';
    return sendPdf(reply, await renderPdf(spec, now), `${name}-${isoDay(now)}.pdf`);
  });
}

export { Html };
