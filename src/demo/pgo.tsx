// A stand-in for a personal health app (a PGO), for the demo only: it lets someone who runs `npm start` walk through
// what an app the citizen authorises does — ask for access (OAuth 2.0 with PKCE), receive the code, exchange it, read
// the record with the token — without a second program. Registered only with the demo seed and the DigiD simulator,
// which production refuses. It talks to Koepel in-process (inject), as an outside app would talk over HTTPS, and
// keeps nothing: the token is used once for the summary and dropped.
import { createHash, randomBytes } from 'node:crypto';
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { APP_TOKEN_PATH, AUTHORIZE_PATH } from '../citizen-apps/index.js';
import type { DB } from '../platform/db/schema.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { PageContext } from '../platform/web/context.js';
import { Layout } from '../platform/web/layout.js';
import { ButtonLink, DataTable, Heading, Paragraph, Text } from '../platform/web/components/index.js';

export const DEMO_PGO_PATH = '/demo-pgo';
export const DEMO_PGO_CLIENT_ID = 'ka_koepel-demo-pgo-app';
export const DEMO_PGO_NAME = 'Voorbeeld-PGO (demo)';
/** How long a started connection waits for the citizen (their DigiD login and choice). */
const PENDING_MS = 15 * 60_000;

/** Registers (or corrects) the demo app in the operator's register: public, with this deployment's callback. */
export async function ensureDemoPgo(db: Kysely<DB>, publicUrl: string): Promise<void> {
  const redirect = `${publicUrl}${DEMO_PGO_PATH}/callback`;
  await db
    .insertInto('citizen_app')
    .values({
      name: DEMO_PGO_NAME,
      vendor: 'Koepel (voorbeeld)',
      client_id: DEMO_PGO_CLIENT_ID,
      confidential: false,
      redirect_uris: [redirect],
    })
    .onConflict((oc) => oc.column('client_id').doUpdateSet({ redirect_uris: [redirect] }))
    .execute();
}

interface Summary {
  patient: string;
  counts: [string, number][];
  organisations: string[];
}

function PgoPage(props: { ctx: PageContext; summary?: Summary; problem?: 'declined' | 'failed' }): JSX.Element {
  const { ctx, summary } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('demoPgo.title')}>
      <Text style="notice" text={t('demoPgo.notice')} />
      <Heading level={1} text={t('demoPgo.title')} />
      {props.problem ? (
        <Text style="status" text={t(props.problem === 'declined' ? 'demoPgo.declined' : 'demoPgo.failed')} />
      ) : (
        ''
      )}
      {summary ? (
        <>
          <Text style="status" text={t('demoPgo.read', { count: summary.counts.reduce((n, [, c]) => n + c, 0) })} />
          <DataTable
            ctx={ctx}
            caption={t('demoPgo.caption')}
            rows={summary.counts}
            columns={[
              { header: t('demoPgo.col.type'), rowHeader: true, text: ([type]) => type },
              { header: t('demoPgo.col.count'), numeric: true, text: ([, n]) => String(n) },
            ]}
          />
          <Text text={t('demoPgo.organisations', { list: summary.organisations.join(', ') || '–' })} />
          <Text text={t('demoPgo.after')} />
        </>
      ) : (
        <Text text={t('demoPgo.intro')} />
      )}
      <Paragraph>
        <ButtonLink
          href={`${DEMO_PGO_PATH}/start`}
          text={t(summary ? 'demoPgo.again' : 'demoPgo.connect', { portal: ctx.portal.name })}
        />
      </Paragraph>
    </Layout>
  );
}

export function registerDemoPgo(app: FastifyInstance): void {
  const { publicUrl } = app.koepel.config;
  const redirectUri = `${publicUrl}${DEMO_PGO_PATH}/callback`;
  // state → PKCE verifier of connections started and not yet finished (the app's own memory, as a real app has).
  const pending = new Map<string, { verifier: string; at: number }>();
  const prune = () => {
    for (const [k, v] of pending) if (Date.now() - v.at > PENDING_MS) pending.delete(k);
  };

  app.get(DEMO_PGO_PATH, async (req, reply) => sendPage(reply, <PgoPage ctx={pageContext(req)} />));

  app.get(`${DEMO_PGO_PATH}/start`, async (_req, reply) => {
    prune();
    if (pending.size > 1000) pending.clear();
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    pending.set(state, { verifier, at: Date.now() });
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: DEMO_PGO_CLIENT_ID,
      redirect_uri: redirectUri,
      state,
      scope: 'launch/patient patient/*.read',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      aud: `${publicUrl}/fhir`,
    });
    return reply.redirect(`${AUTHORIZE_PATH}?${q.toString()}`, 303);
  });

  // It asks Koepel itself for a token and the record (app.inject): it holds no transaction of its own meanwhile.
  app.get(
    `${DEMO_PGO_PATH}/callback`,
    { config: { requestTransaction: false } },
    async (req: FastifyRequest, reply) => {
      const ctx = pageContext(req);
      const q = req.query as Record<string, unknown>;
      const state = typeof q.state === 'string' ? q.state : '';
      const started = pending.get(state);
      pending.delete(state);
      if (!started) return sendPage(reply, <PgoPage ctx={ctx} problem="failed" />, 400);
      if (q.error === 'access_denied') return sendPage(reply, <PgoPage ctx={ctx} problem="declined" />);
      if (typeof q.code !== 'string') return sendPage(reply, <PgoPage ctx={ctx} problem="failed" />, 400);

      const tokenAnswer = await app.inject({
        method: 'POST',
        url: APP_TOKEN_PATH,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          grant_type: 'authorization_code',
          code: q.code,
          redirect_uri: redirectUri,
          code_verifier: started.verifier,
          client_id: DEMO_PGO_CLIENT_ID,
        }).toString(),
      });
      if (tokenAnswer.statusCode !== 200) return sendPage(reply, <PgoPage ctx={ctx} problem="failed" />, 502);
      const token = tokenAnswer.json<{ access_token: string; patient: string }>();
      const record = await app.inject({
        method: 'GET',
        url: `/fhir/Patient/${encodeURIComponent(token.patient)}/$everything`,
        headers: { authorization: `Bearer ${token.access_token}`, accept: 'application/fhir+json' },
      });
      if (record.statusCode !== 200) return sendPage(reply, <PgoPage ctx={ctx} problem="failed" />, 502);
      const bundle = record.json<{ entry?: { resource: { resourceType: string; name?: string } }[] }>();
      const counts = new Map<string, number>();
      const organisations: string[] = [];
      for (const e of bundle.entry ?? []) {
        const type = e.resource.resourceType;
        if (type === 'Organization' && e.resource.name) organisations.push(e.resource.name);
        if (type === 'Patient' || type === 'Organization' || type === 'Practitioner' || type === 'PractitionerRole') {
          continue;
        }
        counts.set(type, (counts.get(type) ?? 0) + 1);
      }
      return sendPage(
        reply,
        <PgoPage
          ctx={ctx}
          summary={{
            patient: token.patient,
            counts: [...counts].sort(([a], [b]) => a.localeCompare(b)),
            organisations,
          }}
        />,
      );
    },
  );
}

export { Html };
