// GET /staff/patients/{citizen id}/record — a patient's record as the employee's organisation holds it (MG-4).
// GET /staff/patients/{citizen id}/record/documents/{resource id}/{n} — download of a document's attachment.
// The URL carries only the citizen's Koepel id (a random uuid), never a BSN or name. A citizen who is not a current
// patient of the organisation, or an id that does not exist, answers 404 alike (PZ-4).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { PERMISSIONS, requireStaff } from '../platform/auth/permissions.js';
import { openPatientRecord, readPatientDocument } from './record.js';
import { PatientRecordPage } from './record-views.js';

const recordParams = z.object({ citizenId: z.uuid() });
const documentParams = z.object({
  citizenId: z.uuid(),
  resourceId: z.uuid(),
  position: z
    .string()
    .regex(/^\d{1,3}$/)
    .transform(Number),
});

// Anything but PDF and plain text is offered as bytes to save, never rendered in the portal's origin.
const DOWNLOAD_TYPES: Record<string, string> = { 'application/pdf': 'pdf', 'text/plain': 'txt' };

export function registerPatientRecordRoutes(app: FastifyInstance): void {
  app.get('/staff/patients/:citizenId/record', async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.recordRead);
    const params = recordParams.safeParse(req.params);
    if (!params.success) throw new HttpError(404, 'notFound');
    const record = await req.withData((scope) => openPatientRecord(scope, staff, params.data.citizenId));
    if (!record) throw new HttpError(404, 'notFound');
    return sendPage(reply, <PatientRecordPage ctx={pageContext(req)} record={record} />);
  });

  app.get('/staff/patients/:citizenId/record/documents/:resourceId/:position', async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.recordRead);
    const params = documentParams.safeParse(req.params);
    if (!params.success) throw new HttpError(404, 'notFound');
    const { citizenId, resourceId, position } = params.data;
    const file = await req.withData((scope) => readPatientDocument(scope, staff, citizenId, resourceId, position));
    if (!file) throw new HttpError(404, 'notFound');
    const ext = DOWNLOAD_TYPES[file.contentType];
    return reply
      .type(ext ? file.contentType : 'application/octet-stream')
      .header('Content-Disposition', `attachment; filename="document.${ext ?? 'bin'}"`)
      .send(file.data);
  });
}
