// The page that offers the medication passport and, per organisation that offers it, the current medication
// overview (MG-8). Plain links: the browser downloads the PDF (Content-Disposition: attachment).
import Html from '@kitajs/html';
import type { CareProvider } from '../care-providers/index.js';
import type { PageContext } from '../platform/web/context.js';
import {
  ButtonLink,
  EmptyState,
  Link,
  List,
  Page,
  Paragraph,
  Section,
  Text,
} from '../platform/web/components/index.js';

export function PassportPage(props: { ctx: PageContext; overviews: CareProvider[] }): JSX.Element {
  const { ctx, overviews } = props;
  const { t } = ctx;
  return (
    <Page
      ctx={ctx}
      title={t('medicationPassport.title')}
      back={{ href: '/dossier/medication', label: t('medicationPassport.back') }}
      intro={t('medicationPassport.intro')}
    >
      <Section id="passport" title={t('medicationPassport.passport.heading')}>
        <Text text={t('medicationPassport.passport.text')} />
        <Paragraph>
          <ButtonLink href="/medication/passport.pdf" text={t('medicationPassport.passport.download')} />
        </Paragraph>
      </Section>
      <Section id="overview" title={t('medicationPassport.overview.heading')}>
        {overviews.length === 0 ? (
          <EmptyState text={t('medicationPassport.overview.none')} />
        ) : (
          <>
            <Text text={t('medicationPassport.overview.text')} />
            <List class="koepel-passport-overviews">
              {overviews.map((o) => (
                <li>
                  <Link
                    href={`/medication/overview/${o.id}.pdf`}
                    text={t('medicationPassport.overview.download', { organisation: o.name })}
                  />
                </li>
              ))}
            </List>
          </>
        )}
      </Section>
      <Text style="small" text={t('medicationPassport.check')} />
    </Page>
  );
}

export { Html };
