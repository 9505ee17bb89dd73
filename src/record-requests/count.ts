// The number beside "Verzoeken" in the staff menu: the organisation's open requests. One statement per page view
// (koepel_open_access_request_count, migration 0017); row-level security limits it to the employee's own
// organisation and to employees with record:requests. It reads no citizen, so it writes no audit record.
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { PERMISSIONS } from '../platform/auth/permissions.js';

export async function openRequestCount(req: FastifyRequest): Promise<number | null> {
  const p = req.principal;
  if (p.kind !== 'staff' || !p.permissions.includes(PERMISSIONS.recordRequests)) return null;
  const { rows } = await req.withData(({ tx }) =>
    sql<{ n: string | number }>`select koepel_open_access_request_count() as n`.execute(tx),
  );
  return Number(rows[0]?.n ?? 0);
}
