// The DigiD simulator, mounted at /digid-simulator while config.digid.simulator is true (never in production).
// OIDC endpoints: /.well-known/openid-configuration, /authorize (GET shows the login page, POST the tester's
// choice), /token, /jwks, /userinfo. The login page lets the tester choose a test person (or type a BSN, which must
// pass the 11-test) and a DigiD level. Its form is protected by Koepel's session-bound CSRF token; the machine
// endpoints (token, userinfo) authenticate the client or the bearer instead.
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FIXTURE_PERSONS } from '../identity/index.js';
import { parseBsn } from '../identity/index.js';
import { DIGID_LEVELS, levelByKey } from '../identity/index.js';
import { DIGID_CALLBACK_PATH } from '../identity/index.js';
import { publicJwks } from '../platform/crypto/private-jwks.js';
import { ensureSession, pageContext, sendPage } from '../platform/http/request-context.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import { Layout } from '../platform/web/layout.js';
import { sendMessage } from '../platform/http/message-page.js';
import {
  Button,
  ButtonGroup,
  Choices,
  ErrorSummary,
  Form,
  Heading,
  HiddenField,
  Text,
  TextField,
  titleWithErrors,
  type FieldError,
} from '../platform/web/components/index.js';
import { DigidSimulator, SIMULATOR_PATH, type AuthorizationRequest, type TokenAnswer } from './provider.js';

type FormErrors = Partial<Record<'bsn' | 'person' | 'level', MessageKey>>;

interface FormValues {
  person: string;
  bsn: string;
  level: string;
}

function LoginPage(props: {
  ctx: PageContext;
  request: AuthorizationRequest;
  values: FormValues;
  errors: FormErrors;
}): JSX.Element {
  const { ctx, request, values, errors } = props;
  const { t } = ctx;
  const fieldId = {
    person: `person-${FIXTURE_PERSONS[0]?.burgerservicenummer ?? ''}`,
    bsn: 'bsn',
    level: `level-${DIGID_LEVELS[0]?.key ?? ''}`,
  };
  const errorList: FieldError[] = (['person', 'bsn', 'level'] as const).flatMap((k) => {
    const key = errors[k];
    return key ? [{ field: fieldId[k], message: t(key) }] : [];
  });
  const message = (k: keyof FormErrors) => (errors[k] ? t(errors[k]) : undefined);
  return (
    <Layout ctx={ctx} title={titleWithErrors(ctx, t('simulator.title'), errorList)}>
      <div class="koepel-simulator-notice">
        <Text style="notice" text={t('simulator.notice')} />
      </div>
      <Heading level={1} text={t('simulator.title')} />
      <ErrorSummary ctx={ctx} errors={errorList} />
      <Text text={t('simulator.intro')} />
      <Form ctx={ctx} action={`${SIMULATOR_PATH}/authorize`} class="koepel-form koepel-simulator-form" novalidate>
        {Object.entries(request as unknown as Record<string, string>).map(([name, value]) => (
          <HiddenField name={name} value={value} />
        ))}
        <Choices
          type="radio"
          idPrefix="person"
          name="person"
          legend={t('simulator.person.legend')}
          options={FIXTURE_PERSONS.map((p) => ({
            value: p.burgerservicenummer,
            label: t('simulator.person.option', { name: p.naam.volledigeNaam, bsn: p.burgerservicenummer }),
          }))}
          checked={[values.person]}
          error={message('person')}
        />
        <TextField
          id="bsn"
          label={t('simulator.bsn.label')}
          hint={t('simulator.bsn.hint')}
          value={values.bsn}
          inputmode="numeric"
          autocomplete="off"
          spellcheck={false}
          maxlength={20}
          size="small"
          error={message('bsn')}
        />
        <Choices
          type="radio"
          idPrefix="level"
          name="level"
          legend={t('simulator.level.legend')}
          hint={t('simulator.level.hint')}
          options={DIGID_LEVELS.map((l) => ({ value: l.key, label: t(`simulator.level.${l.key}` as MessageKey) }))}
          checked={[values.level]}
          error={message('level')}
        />
        <ButtonGroup>
          <Button name="action" value="login" text={t('simulator.submit')} />
          <Button style="secondary" name="action" value="cancel" text={t('simulator.cancel')} />
        </ButtonGroup>
      </Form>
    </Layout>
  );
}

function sendJson(reply: FastifyReply, answer: TokenAnswer): FastifyReply {
  for (const [k, v] of Object.entries(answer.headers ?? {})) reply.header(k, v);
  return reply.code(answer.status).type('application/json; charset=utf-8').send(answer.body);
}

async function badRequestPage(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  return sendMessage(req, reply, 400, (t) => ({
    title: t('simulator.badRequest.title'),
    body: t('simulator.badRequest.body'),
    link: { href: '/', label: t('error.backHome') },
  }));
}

export function registerDigidSimulator(app: FastifyInstance): void {
  const { config } = app.koepel;
  if (!config.digid.simulator) return; // belt and braces: app.ts only calls this with the simulator on
  const simulator = new DigidSimulator({
    issuer: config.digid.issuer,
    clientId: config.digid.clientId,
    clientJwks: publicJwks(config.digid.keys),
    redirectUri: `${config.publicUrl}${DIGID_CALLBACK_PATH}`,
  });
  const machine = { config: { csrf: false } };

  app.get(`${SIMULATOR_PATH}/.well-known/openid-configuration`, async (_req, reply) =>
    reply.send(simulator.discovery()),
  );
  app.get(`${SIMULATOR_PATH}/jwks`, async (_req, reply) =>
    reply.type('application/jwk-set+json').send(await simulator.jwks()),
  );

  app.get(`${SIMULATOR_PATH}/authorize`, async (req, reply) => {
    const check = simulator.checkAuthorizationRequest(req.query as Record<string, unknown>);
    if (!check.ok) return check.fatal ? badRequestPage(req, reply) : reply.redirect(check.redirectTo, 303);
    await ensureSession(req, reply);
    return sendPage(
      reply,
      <LoginPage
        ctx={pageContext(req)}
        request={check.request}
        values={{ person: '', bsn: '', level: '' }}
        errors={{}}
      />,
    );
  });

  app.post(`${SIMULATOR_PATH}/authorize`, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const check = simulator.checkAuthorizationRequest(body);
    if (!check.ok) return check.fatal ? badRequestPage(req, reply) : reply.redirect(check.redirectTo, 303);
    if (body.action === 'cancel') return reply.redirect(simulator.cancel(check.request), 303);

    const values: FormValues = {
      person: typeof body.person === 'string' ? body.person : '',
      bsn: typeof body.bsn === 'string' ? body.bsn.slice(0, 20) : '',
      level: typeof body.level === 'string' ? body.level : '',
    };
    const errors: FormErrors = {};
    let bsn = null;
    if (values.bsn.trim() !== '') {
      bsn = parseBsn(values.bsn);
      if (!bsn) errors.bsn = 'simulator.error.bsnInvalid';
    } else {
      bsn = FIXTURE_PERSONS.some((p) => p.burgerservicenummer === values.person) ? parseBsn(values.person) : null;
      if (!bsn) errors.person = 'simulator.error.personMissing';
    }
    const level = levelByKey(values.level);
    if (!level) errors.level = 'simulator.error.levelMissing';
    if (!bsn || !level) {
      return sendPage(
        reply,
        <LoginPage ctx={pageContext(req)} request={check.request} values={values} errors={errors} />,
        400,
      );
    }
    return reply.redirect(simulator.authorize(check.request, bsn, level), 303);
  });

  app.post(`${SIMULATOR_PATH}/token`, machine, async (req, reply) =>
    sendJson(reply, await simulator.token(req.headers.authorization, (req.body ?? {}) as Record<string, unknown>)),
  );
  const userinfo = async (req: FastifyRequest, reply: FastifyReply) => {
    const answer = await simulator.userinfo(req.headers.authorization);
    if ('jwt' in answer) return reply.header('cache-control', 'no-store').type('application/jwt').send(answer.jwt);
    return sendJson(reply, answer);
  };
  app.get(`${SIMULATOR_PATH}/userinfo`, machine, userinfo);
  app.post(`${SIMULATOR_PATH}/userinfo`, machine, userinfo);
}

export { Html };
