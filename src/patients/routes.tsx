// POST /staff/patients/search — POST only, so that names and birth dates never appear in a URL.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { FieldError } from '../platform/web/components/index.js';
import { PERMISSIONS, requireStaff } from '../platform/auth/permissions.js';
import { parseCriteria, searchPatients, type CriteriaError } from './search.js';
import { SearchResultsPage } from './views.js';
import { registerPatientRecordRoutes } from './record-routes.js';

const searchBody = z.object({
  name: z.string().max(200).optional().default(''),
  born: z.string().max(20).optional().default(''),
});

export function registerPatientRoutes(app: FastifyInstance): void {
  // The staff menu's "Patiënten": the search form on a page of its own.
  app.get('/staff/patients', async (req, reply) => {
    requireStaff(req, PERMISSIONS.patientsSearch);
    return sendPage(reply, <SearchResultsPage ctx={pageContext(req)} values={{ name: '', born: '' }} />);
  });
  app.post('/staff/patients/search', async (req, reply) => {
    requireStaff(req, PERMISSIONS.patientsSearch);
    const ctx = pageContext(req);
    const { t } = ctx;
    const body = searchBody.safeParse(req.body);
    if (!body.success) {
      const errors = [{ field: 'search-name', message: t('patients.errors.criteria') }];
      return sendPage(reply, <SearchResultsPage ctx={ctx} values={{ name: '', born: '' }} errors={errors} />, 400);
    }
    const values = body.data;
    const parsed = parseCriteria(values);
    if (!parsed.ok) {
      const messages: Record<CriteriaError, FieldError> = {
        criteria: { field: 'search-name', message: t('patients.errors.criteria') },
        name: { field: 'search-name', message: t('patients.errors.name') },
        born: { field: 'search-born', message: t('patients.errors.born') },
      };
      return sendPage(
        reply,
        <SearchResultsPage ctx={ctx} values={values} errors={parsed.errors.map((e) => messages[e])} />,
        400,
      );
    }
    const result = await req.withData((scope) => searchPatients(scope, parsed.criteria));
    const recordLinks = req.principal.kind === 'staff' && req.principal.permissions.includes(PERMISSIONS.recordRead);
    return sendPage(reply, <SearchResultsPage ctx={ctx} values={values} result={result} recordLinks={recordLinks} />);
  });
  registerPatientRecordRoutes(app);
}
