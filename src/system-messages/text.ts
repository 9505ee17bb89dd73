// A system message in words, in the reader's language, made when it is read: the stored row has a kind and
// parameters only. The link goes to where the citizen acts on it (the dossier section of that organisation, the
// order, the privacy statement).
import type { PageContext } from '../platform/web/context.js';
import { formatDate } from '../platform/i18n/format.js';
import type { SystemMessage } from './store.js';

export interface MessageText {
  title: string;
  body: string;
  link: { href: string; label: string } | null;
}

/** Where a citizen sees one order (the repeat-medication pages, MG-8). */
export const orderHref = (orderId: string | null): string =>
  orderId ? `/repeat-medication/${orderId}` : '/repeat-medication';

const dateText = (ctx: PageContext, date: string) => formatDate(ctx.lang, date);

export function messageText(ctx: PageContext, m: SystemMessage): MessageText {
  const { t } = ctx;
  const organisation = m.organisationName ?? '';
  switch (m.kind) {
    case 'new-data':
      return {
        title: t('systemMessages.newData.title', { organisation, category: m.category }),
        body: t('systemMessages.newData.body'),
        link: m.organisationId
          ? {
              href: `/dossier/${m.category}?org=${m.organisationId}`,
              label: t('systemMessages.newData.link', { organisation, category: m.category }),
            }
          : null,
      };
    case 'order-handled':
      return {
        title: t('systemMessages.order.title', { organisation, status: m.status }),
        body: t('systemMessages.order.body', { status: m.status }),
        link: { href: orderHref(m.orderId), label: t('systemMessages.order.link') },
      };
    case 'portal-change':
      return {
        title: t('systemMessages.portal.title', {
          portal: ctx.portal.name,
          date: dateText(ctx, m.date),
          topic: m.topic,
        }),
        body: t('systemMessages.portal.body', { topic: m.topic }),
        link: null,
      };
    case 'privacy-statement-change':
      return {
        title: t('systemMessages.privacy.title', { portal: ctx.portal.name, date: dateText(ctx, m.date) }),
        body: t('systemMessages.privacy.body'),
        link: { href: '/privacy', label: t('systemMessages.privacy.link') },
      };
  }
}
