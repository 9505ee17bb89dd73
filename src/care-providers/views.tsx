// "Mijn zorgverleners": one card per care provider with its type, contact details and the online functions it offers.
import Html from '@kitajs/html';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import { Heading, Link, List, Text, VisuallyHidden } from '../platform/web/components/index.js';
import type { CareProvider, OrganisationFunction } from './care-providers.js';

/** Only http(s) addresses become links: organisation data must never smuggle in a javascript: URL. */
function webLink(url: string | null): { href: string; label: string } | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    return { href: u.toString(), label: u.host + (u.pathname === '/' ? '' : u.pathname) };
  } catch {
    return null;
  }
}

/**
 * The functions Koepel itself offers, and where: a link to that page for this care provider. The others (repeat
 * medication, messages, video consultation) the care provider offers in its own systems; they are plain text, never
 * a control that does nothing.
 */
const KOEPEL_PAGE: Partial<Record<OrganisationFunction, string>> = {
  appointments: '/dossier/appointments',
  'medication-overview': '/dossier/medication',
  record: '/dossier',
  letters: '/dossier/documents',
};

const telHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`;
const isEmail = (email: string) => /^[^\s@<>"]+@[^\s@<>"]+$/.test(email);

export function CareProviderCard(props: { ctx: PageContext; provider: CareProvider }): JSX.Element {
  const { ctx, provider: p } = props;
  const { t } = ctx;
  const headingId = `provider-${p.id}`;
  const site = webLink(p.website);
  const address = [p.street, [p.postalCode, p.city].filter(Boolean).join(' ')].filter(Boolean);
  return (
    <li class="koepel-card koepel-provider">
      <Heading level={3} id={headingId} text={p.name} />
      <p class="koepel-provider-kind">
        <VisuallyHidden text={`${t('careProviders.type')}: `} />
        <span safe>{t(`careProviders.kind.${p.kind}` as MessageKey)}</span>
      </p>
      <dl class="koepel-contact">
        {address.length > 0 ? (
          <div>
            <dt safe>{t('careProviders.address')}</dt>
            <dd>
              {address.map((line, i) => (
                <>
                  {i > 0 ? <br /> : ''}
                  <span safe>{line}</span>
                </>
              ))}
            </dd>
          </div>
        ) : (
          ''
        )}
        {p.phone ? (
          <div>
            <dt safe>{t('careProviders.phone')}</dt>
            <dd>
              <Link href={telHref(p.phone)} text={p.phone} />
            </dd>
          </div>
        ) : (
          ''
        )}
        {p.email && isEmail(p.email) ? (
          <div>
            <dt safe>{t('careProviders.email')}</dt>
            <dd>
              <Link href={`mailto:${p.email}`}>
                {/* a line may break after the @ in a narrow card */}
                <span safe>{p.email.slice(0, p.email.lastIndexOf('@') + 1)}</span>
                <wbr />
                <span safe>{p.email.slice(p.email.lastIndexOf('@') + 1)}</span>
              </Link>
            </dd>
          </div>
        ) : (
          ''
        )}
        {site ? (
          <div>
            <dt safe>{t('careProviders.website')}</dt>
            <dd>
              <Link href={site.href} rel="noopener noreferrer" text={site.label} />
            </dd>
          </div>
        ) : (
          ''
        )}
      </dl>
      <Heading level={4} class="koepel-provider-functions-heading" text={t('careProviders.functions')} />
      {p.functions.length > 0 ? (
        <List class="koepel-provider-functions">
          {p.functions.map((f) => {
            const name = t(`careProviders.function.${f}` as MessageKey);
            const page = KOEPEL_PAGE[f];
            return page ? (
              <li>
                <Link href={`${page}?org=${encodeURIComponent(p.id)}`} text={name} />
              </li>
            ) : (
              <li safe>{t('careProviders.atProvider', { function: name })}</li>
            );
          })}
        </List>
      ) : (
        <Text text={t('careProviders.noFunctions')} />
      )}
    </li>
  );
}

export function CareProviderList(props: { ctx: PageContext; providers: CareProvider[] }): JSX.Element {
  return (
    <ul class="koepel-cards koepel-providers">
      {props.providers.map((p) => (
        <CareProviderCard ctx={props.ctx} provider={p} />
      ))}
    </ul>
  );
}

export { Html };
