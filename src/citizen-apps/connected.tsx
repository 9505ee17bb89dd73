// "Gekoppelde apps": the apps a citizen has given access to their record, and the button that takes it back.
//   GET  /apps            the citizen's grants (audited: the page shows which apps read their record)
//   POST /apps/withdraw   ends a grant (CSRF-protected): the grant, its codes and its tokens are deleted, so the app's
//                         next request is refused (the bearer check has no cache)
import Html from '@kitajs/html';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { formatDate } from '../platform/i18n/format.js';
import type { PageContext } from '../platform/web/context.js';
import type { NavigationLink } from '../platform/web/navigation.js';
import {
  Alert,
  Button,
  Form,
  Heading,
  HiddenField,
  Link,
  Page,
  Paragraph,
  Section,
  Text,
} from '../platform/web/components/index.js';
import { requireCitizen } from '../platform/auth/permissions.js';

export const CONNECTED_APPS_PATH = '/apps';

interface GrantRow {
  id: string;
  app_id: string;
  name: string;
  vendor: string;
  granted_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function GrantCard(props: { ctx: PageContext; grant: GrantRow }): JSX.Element {
  const { ctx, grant: g } = props;
  const { t } = ctx;
  const when = (d: Date) => (
    <time datetime={d.toISOString()} safe>
      {formatDate(ctx.lang, d, 'dateTime')}
    </time>
  );
  return (
    <li class="koepel-card">
      <Heading level={2} look={3} text={g.name} />
      <dl class="koepel-facts">
        <dt safe>{t('apps.vendor')}</dt>
        <dd safe>{g.vendor}</dd>
        <dt safe>{t('apps.grantedAt')}</dt>
        <dd>{when(g.granted_at)}</dd>
        <dt safe>{t('apps.lastUsed')}</dt>
        <dd>{g.last_used_at ? when(g.last_used_at) : <span safe>{t('apps.notUsed')}</span>}</dd>
      </dl>
      {g.revoked_at ? <Text style="notice" text={t('apps.revokedByOperator')} /> : ''}
      <Form ctx={ctx} action="/apps/withdraw" class="koepel-inline-form">
        <HiddenField name="grant" value={g.id} />
        <Button style="secondary" label={t('apps.withdrawLabel', { app: g.name })} text={t('apps.withdraw')} />
      </Form>
    </li>
  );
}

function ConnectedAppsPage(props: {
  ctx: PageContext;
  grants: GrantRow[];
  withdrawn: string | null;
  /** Apps to try the flow with, added to the 'connected-apps' menu by another capability (the demo's example app). */
  examples: readonly NavigationLink[];
}): JSX.Element {
  const { ctx, grants } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('apps.title')}>
      {props.withdrawn !== null ? <Alert kind="ok" text={t('apps.withdrawn', { app: props.withdrawn })} /> : ''}
      <Text text={t('apps.intro')} />
      {grants.length === 0 ? (
        <Text style="notice" text={t('apps.none')} />
      ) : (
        <ul class="koepel-cards">
          {grants.map((g) => (
            <GrantCard ctx={ctx} grant={g} />
          ))}
        </ul>
      )}
      <Section id="how-title" title={t('apps.how.title')}>
        <Text text={t('apps.how.body')} />
        <Paragraph>
          <Link href="/access-log" text={t('apps.how.log')} />
        </Paragraph>
        {props.examples.map((l) => (
          <Paragraph>
            <Link href={l.href} text={t(l.label)} />
          </Paragraph>
        ))}
      </Section>
    </Page>
  );
}

const withdrawForm = z.object({ grant: z.uuid() });
const pageQuery = z.object({ withdrawn: z.uuid().optional() });

export function registerConnectedApps(app: FastifyInstance): void {
  app.get(CONNECTED_APPS_PATH, async (req, reply) => {
    const citizen = requireCitizen(req);
    const query = pageQuery.safeParse(req.query ?? {});
    const withdrawnId = query.success ? (query.data.withdrawn ?? null) : null;
    const { grants, withdrawn } = await req.withData(async (scope) => {
      await scope.audit({
        event: 'citizen-app.list',
        action: 'R',
        citizenId: citizen.citizenId,
        resourceType: 'citizen_app_grant',
      });
      const rows = await scope.tx
        .selectFrom('citizen_app_grant as g')
        .innerJoin('citizen_app as a', 'a.id', 'g.app_id')
        .select(['g.id', 'g.app_id', 'a.name', 'a.vendor', 'g.granted_at', 'g.last_used_at', 'a.revoked_at'])
        .where('g.citizen_id', '=', citizen.citizenId)
        .orderBy('g.granted_at', 'desc')
        .execute();
      // The app just withdrawn, by name, for the confirmation: only if this citizen withdrew it a moment ago (the
      // URL carries an app id, never anything personal, and cannot make the page claim a withdrawal).
      const gone = withdrawnId
        ? await scope.tx
            .selectFrom('audit_log as l')
            .innerJoin('citizen_app as a', (j) => j.on(sql`a.id::text`, '=', sql.ref('l.resource_id')))
            .select('a.name')
            .where('l.citizen_id', '=', citizen.citizenId)
            .where('l.event_code', '=', 'citizen-app.withdraw')
            .where('l.resource_id', '=', withdrawnId)
            .where('l.occurred_at', '>', new Date(Date.now() - 10 * 60_000))
            .executeTakeFirst()
        : undefined;
      return { grants: rows, withdrawn: gone?.name ?? null };
    });
    const examples = req.server.koepel.navigation.links('connected-apps');
    return sendPage(
      reply,
      <ConnectedAppsPage ctx={pageContext(req)} grants={grants} withdrawn={withdrawn} examples={examples} />,
    );
  });

  app.post('/apps/withdraw', async (req, reply) => {
    const citizen = requireCitizen(req);
    const form = withdrawForm.safeParse(req.body ?? {});
    if (!form.success) throw new HttpError(400, 'badRequest');
    const appId = await req.withData(async (scope) => {
      // Row-level security limits this to the citizen's own grants; codes and tokens go with it (on delete cascade).
      const gone = await scope.tx
        .deleteFrom('citizen_app_grant')
        .where('id', '=', form.data.grant)
        .where('citizen_id', '=', citizen.citizenId)
        .returning('app_id')
        .executeTakeFirst();
      if (gone) {
        await scope.audit({
          event: 'citizen-app.withdraw',
          action: 'D',
          citizenId: citizen.citizenId,
          resourceType: 'citizen_app',
          resourceId: gone.app_id,
        });
      }
      return gone?.app_id ?? null;
    });
    // Withdrawn a moment ago (a second click) or never the citizen's: the list shows how things stand.
    return reply.redirect(appId ? `${CONNECTED_APPS_PATH}?withdrawn=${appId}` : CONNECTED_APPS_PATH, 303);
  });
}

export { Html };
