// The DigiD simulator, mounted at /digid-simulator while config.digid.simulator is true (never in production).
// OIDC endpoints: /.well-known/openid-configuration, /authorize (GET shows the login page, POST the tester's
// choice), /token, /jwks, /userinfo. The login page lets the tester choose a test person (or type a BSN, which must
// pass the 11-test) and a DigiD level. Its form is protected by Koepel's session-bound CSRF token; the machine
// endpoints (token, userinfo) authenticate the client or the bearer instead.
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FIXTURE_PERSONS } from '../identity/index.js';
import { parseBsn } from '../identity/index.js';
import { DIGID_LEVELS, levelByKey, MINIMUM_LEVEL } from '../identity/index.js';
import { DIGID_CALLBACK_PATH } from '../identity/index.js';
import { ensureSession, pageContext, sendPage } from '../platform/http/request-context.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import { Layout, MessagePage } from '../platform/web/layout.js';
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
  const errorList = (['person', 'bsn', 'level'] as const).filter((k) => errors[k]);
  const fieldId = {
    person: `person-${FIXTURE_PERSONS[0]?.burgerservicenummer ?? ''}`,
    bsn: 'bsn',
    level: `level-${MINIMUM_LEVEL.key}`,
  };
  return (
    <Layout
      ctx={ctx}
      title={errorList.length > 0 ? `${t('simulator.error.title')} · ${t('simulator.title')}` : t('simulator.title')}
    >
      <p class="utrecht-paragraph koepel-notice koepel-simulator-notice" safe>
        {t('simulator.notice')}
      </p>
      <h1 class="utrecht-heading-1" safe>
        {t('simulator.title')}
      </h1>
      {errorList.length > 0 ? (
        <div
          class="utrecht-alert utrecht-alert--error koepel-error-summary"
          role="alert"
          aria-labelledby="error-summary-title"
        >
          <h2 id="error-summary-title" class="utrecht-heading-2" safe>
            {t('simulator.error.title')}
          </h2>
          <ul class="utrecht-unordered-list">
            {errorList.map((k) => (
              <li>
                <a class="utrecht-link" href={`#${fieldId[k]}`} safe>
                  {t(errors[k] as MessageKey)}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        ''
      )}
      <p class="utrecht-paragraph" safe>
        {t('simulator.intro')}
      </p>
      <form method="post" action={`${SIMULATOR_PATH}/authorize`} class="koepel-form koepel-simulator-form" novalidate>
        <input type="hidden" name="_csrf" value={ctx.csrf ?? ''} />
        {Object.entries(request as unknown as Record<string, string>).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <fieldset
          class={`utrecht-form-fieldset utrecht-form-fieldset--html-fieldset${errors.person ? ' utrecht-form-fieldset--invalid' : ''}`}
          aria-describedby={errors.person ? 'person-error' : undefined}
        >
          <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend" safe>
            {t('simulator.person.legend')}
          </legend>
          {errors.person ? (
            <p id="person-error" class="utrecht-form-field-error-message" safe>
              {t(errors.person)}
            </p>
          ) : (
            ''
          )}
          {FIXTURE_PERSONS.map((p) => (
            <div class="utrecht-form-field utrecht-form-field--radio">
              <p class="utrecht-form-field__input">
                <input
                  type="radio"
                  class="utrecht-radio-button utrecht-radio-button--html-input"
                  id={`person-${p.burgerservicenummer}`}
                  name="person"
                  value={p.burgerservicenummer}
                  checked={values.person === p.burgerservicenummer}
                />
              </p>
              <p class="utrecht-form-field__label">
                <label
                  class="utrecht-form-label utrecht-form-label--radio"
                  for={`person-${p.burgerservicenummer}`}
                  safe
                >
                  {t('simulator.person.option', { name: p.naam.volledigeNaam, bsn: p.burgerservicenummer })}
                </label>
              </p>
            </div>
          ))}
        </fieldset>
        <div class={`utrecht-form-field utrecht-form-field--text${errors.bsn ? ' utrecht-form-field--invalid' : ''}`}>
          <p class="utrecht-form-field__label">
            <label class="utrecht-form-label" for="bsn" safe>
              {t('simulator.bsn.label')}
            </label>
          </p>
          <p id="bsn-hint" class="utrecht-form-field-description" safe>
            {t('simulator.bsn.hint')}
          </p>
          {errors.bsn ? (
            <p id="bsn-error" class="utrecht-form-field-error-message" safe>
              {t(errors.bsn)}
            </p>
          ) : (
            ''
          )}
          <p class="utrecht-form-field__input">
            <input
              type="text"
              class={`utrecht-textbox utrecht-textbox--html-input koepel-bsn-input${errors.bsn ? ' utrecht-textbox--invalid' : ''}`}
              id="bsn"
              name="bsn"
              value={values.bsn}
              inputmode="numeric"
              autocomplete="off"
              spellcheck="false"
              maxlength="20"
              aria-describedby={errors.bsn ? 'bsn-hint bsn-error' : 'bsn-hint'}
              aria-invalid={errors.bsn ? 'true' : undefined}
            />
          </p>
        </div>
        <fieldset
          class={`utrecht-form-fieldset utrecht-form-fieldset--html-fieldset${errors.level ? ' utrecht-form-fieldset--invalid' : ''}`}
          aria-describedby={errors.level ? 'level-hint level-error' : 'level-hint'}
        >
          <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend" safe>
            {t('simulator.level.legend')}
          </legend>
          <p id="level-hint" class="utrecht-form-field-description" safe>
            {t('simulator.level.hint')}
          </p>
          {errors.level ? (
            <p id="level-error" class="utrecht-form-field-error-message" safe>
              {t(errors.level)}
            </p>
          ) : (
            ''
          )}
          {DIGID_LEVELS.map((l) => (
            <div class="utrecht-form-field utrecht-form-field--radio">
              <p class="utrecht-form-field__input">
                <input
                  type="radio"
                  class="utrecht-radio-button utrecht-radio-button--html-input"
                  id={`level-${l.key}`}
                  name="level"
                  value={l.key}
                  checked={values.level === l.key}
                />
              </p>
              <p class="utrecht-form-field__label">
                <label class="utrecht-form-label utrecht-form-label--radio" for={`level-${l.key}`} safe>
                  {t(`simulator.level.${l.key}` as MessageKey)}
                </label>
              </p>
            </div>
          ))}
        </fieldset>
        <p class="utrecht-button-group">
          <button type="submit" name="action" value="login" class="utrecht-button utrecht-button--primary-action" safe>
            {t('simulator.submit')}
          </button>
          <button
            type="submit"
            name="action"
            value="cancel"
            class="utrecht-button utrecht-button--secondary-action"
            safe
          >
            {t('simulator.cancel')}
          </button>
        </p>
      </form>
    </Layout>
  );
}

function sendJson(reply: FastifyReply, answer: TokenAnswer): FastifyReply {
  for (const [k, v] of Object.entries(answer.headers ?? {})) reply.header(k, v);
  return reply.code(answer.status).type('application/json; charset=utf-8').send(answer.body);
}

async function badRequestPage(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const ctx = pageContext(req);
  return sendPage(
    reply,
    <MessagePage
      ctx={ctx}
      title={ctx.t('simulator.badRequest.title')}
      body={ctx.t('simulator.badRequest.body')}
      link={{ href: '/', label: ctx.t('error.backHome') }}
    />,
    400,
  );
}

export function registerDigidSimulator(app: FastifyInstance): void {
  const { config } = app.koepel;
  if (!config.digid.simulator) return; // belt and braces: app.ts only calls this with the simulator on
  const simulator = new DigidSimulator({
    issuer: config.digid.issuer,
    clientId: config.digid.clientId,
    clientSecret: config.digid.clientSecret,
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
        values={{ person: '', bsn: '', level: MINIMUM_LEVEL.key }}
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
  app.get(`${SIMULATOR_PATH}/userinfo`, machine, async (req, reply) =>
    sendJson(reply, simulator.userinfo(req.headers.authorization)),
  );
  app.post(`${SIMULATOR_PATH}/userinfo`, machine, async (req, reply) =>
    sendJson(reply, simulator.userinfo(req.headers.authorization)),
  );
}

export { Html };
