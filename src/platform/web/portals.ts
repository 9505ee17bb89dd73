// The portals this deployment serves, read once at start (portals change rarely; reload() after an admin edit).
import type { Kysely } from 'kysely';
import { withPrincipal } from '../db/principal.js';
import type { DB } from '../db/schema.js';
import type { PortalRegistry } from '../http/request-context.js';
import type { PortalView } from './context.js';

export async function loadPortals(
  db: Kysely<DB>,
  preferredSlug?: string,
): Promise<PortalRegistry & { reload(): Promise<void> }> {
  let portals: PortalView[] = [];
  const reload = async () => {
    const rows = await withPrincipal(db, { kind: 'anonymous' }, (tx) =>
      tx.selectFrom('portal').selectAll().orderBy('created_at').execute(),
    );
    portals = rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      name: r.name,
      supportEmail: r.support_email,
      supportPhone: r.support_phone,
      dpoName: r.dpo_name,
      dpoEmail: r.dpo_email,
      privacyStatementUpdatedOn: r.privacy_statement_updated_on,
      theme: r.theme,
    }));
  };
  await reload();
  return {
    reload,
    all: () => portals,
    current: () => {
      const p = portals.find((x) => x.slug === preferredSlug) ?? portals[0];
      if (!p) throw new Error('no portal configured');
      return p;
    },
  };
}
