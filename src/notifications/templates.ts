// The e-mail templates (issue 14, MG-10): one per event, Dutch and English, each with a plain-text and an HTML part.
// A mail names the portal and the kind of event and links to the portal's page for it — nothing else. The renderer
// takes only the event, the language, the portal's name and its public URL: whatever else a job's payload or the
// database holds (a medicine, a result, a reason, a care provider, an organisation) cannot reach a mail, because it is
// never passed in. The confirmation mail for a new address carries its link and nothing personal either.
import type { NotificationEvent } from './events.js';
import type { MailLanguage } from './settings.js';

/** The portal page each event links to. */
export const EVENT_PAGE: Record<NotificationEvent, string> = {
  'message-from-provider': '/messages',
  'question-answered': '/messages',
  'record-changed': '/dossier',
  'new-test-result': '/dossier',
  'medicines-almost-finished': '/repeat-medication',
  'medication-request': '/repeat-medication',
  'medicines-repeated': '/repeat-medication',
  'contract-ended': '/home',
  'appointment-made': '/appointments',
  'appointment-changed': '/appointments',
  'appointment-soon': '/appointments',
};

type Texts = Record<NotificationEvent, { subject: string; body: string }>;

const nl: Texts = {
  'message-from-provider': {
    subject: 'Nieuw bericht van uw zorgverlener',
    body: 'U heeft een nieuw bericht van een zorgverlener.',
  },
  'question-answered': { subject: 'Uw vraag is beantwoord', body: 'Er is een antwoord op een vraag die u stelde.' },
  'record-changed': { subject: 'Uw dossier is bijgewerkt', body: 'Er is iets veranderd in uw dossier.' },
  'new-test-result': { subject: 'Er is een nieuwe uitslag', body: 'Er staat een nieuwe uitslag voor u klaar.' },
  'medicines-almost-finished': {
    subject: 'Uw medicijnen zijn bijna op',
    body: 'Volgens uw gegevens zijn medicijnen van u bijna op. U kunt een herhaling aanvragen.',
  },
  'medication-request': {
    subject: 'Nieuws over uw medicatieaanvraag',
    body: 'Uw aanvraag voor herhaalmedicatie is verstuurd of behandeld.',
  },
  'medicines-repeated': {
    subject: 'Uw medicijnen zijn herhaald',
    body: 'Uw apotheek heeft medicijnen van u automatisch herhaald.',
  },
  'contract-ended': {
    subject: 'Een behandelrelatie is beëindigd',
    body: 'Een zorgverlener is niet langer aan u verbonden in het portaal.',
  },
  'appointment-made': { subject: 'Er is een afspraak gemaakt', body: 'Er is een nieuwe afspraak voor u gemaakt.' },
  'appointment-changed': { subject: 'Uw afspraak is gewijzigd', body: 'Een afspraak van u is gewijzigd of afgezegd.' },
  'appointment-soon': { subject: 'Uw afspraak is binnenkort', body: 'U heeft binnenkort een afspraak.' },
};

const en: Texts = {
  'message-from-provider': {
    subject: 'New message from your care provider',
    body: 'You have a new message from a care provider.',
  },
  'question-answered': { subject: 'Your question was answered', body: 'A question you asked has been answered.' },
  'record-changed': { subject: 'Your record was updated', body: 'Something has changed in your record.' },
  'new-test-result': { subject: 'A new result is available', body: 'A new result is ready for you.' },
  'medicines-almost-finished': {
    subject: 'Your medicines are almost finished',
    body: 'According to your records, some of your medicines are almost finished. You can request a repeat.',
  },
  'medication-request': {
    subject: 'News about your medication request',
    body: 'Your repeat medication request was sent or handled.',
  },
  'medicines-repeated': {
    subject: 'Your medicines were repeated',
    body: 'Your pharmacy repeated some of your medicines automatically.',
  },
  'contract-ended': {
    subject: 'A care relationship has ended',
    body: 'A care provider is no longer connected to you in the portal.',
  },
  'appointment-made': { subject: 'An appointment was made', body: 'A new appointment was made for you.' },
  'appointment-changed': {
    subject: 'Your appointment was changed',
    body: 'One of your appointments was changed or cancelled.',
  },
  'appointment-soon': { subject: 'Your appointment is soon', body: 'You have an appointment soon.' },
};

const common = {
  nl: {
    greeting: 'Beste lezer,',
    open: 'Log in op het portaal om het te bekijken:',
    button: 'Naar het portaal',
    why: 'U krijgt deze e-mail omdat u deze melding heeft aangezet. In het portaal kunt u dat wijzigen bij Instellingen > Meldingen.',
    noReply: 'Op deze e-mail kunt u niet antwoorden. Wij sturen nooit medische gegevens per e-mail.',
    confirmSubject: 'Bevestig uw e-mailadres',
    confirmBody:
      'U heeft dit e-mailadres opgegeven voor meldingen van het portaal. Bevestig het met de link hieronder (24 uur geldig). Heeft u dit niet gedaan? Dan kunt u deze e-mail negeren.',
    confirmButton: 'E-mailadres bevestigen',
  },
  en: {
    greeting: 'Dear reader,',
    open: 'Log in to the portal to see it:',
    button: 'Go to the portal',
    why: 'You receive this e-mail because you switched this notification on. You can change that in the portal under Settings > Notifications.',
    noReply: 'You cannot reply to this e-mail. We never send medical information by e-mail.',
    confirmSubject: 'Confirm your e-mail address',
    confirmBody:
      'You gave this e-mail address for notifications from the portal. Confirm it with the link below (valid for 24 hours). If you did not do this, you can ignore this e-mail.',
    confirmButton: 'Confirm e-mail address',
  },
};

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface PortalIdentity {
  name: string;
  publicUrl: string;
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function layout(lang: MailLanguage, portal: string, lines: string[], link: { href: string; text: string }): string {
  return [
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${esc(portal)}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.5;color:#1a1a1a">',
    `<p style="font-weight:bold">${esc(portal)}</p>`,
    ...lines.map((l) => `<p>${esc(l)}</p>`),
    `<p><a href="${esc(link.href)}">${esc(link.text)}</a></p>`,
    '</body></html>',
  ].join('\n');
}

/** The mail for one event: from the event, the language and the portal alone. */
export function renderNotification(event: NotificationEvent, lang: MailLanguage, portal: PortalIdentity): RenderedMail {
  const t = (lang === 'en' ? en : nl)[event];
  const c = common[lang];
  const href = `${portal.publicUrl}${EVENT_PAGE[event]}`;
  const subject = `${portal.name}: ${t.subject}`;
  const text = [c.greeting, '', t.body, '', c.open, href, '', c.why, c.noReply, '', `— ${portal.name}`].join('\n');
  const html = layout(lang, portal.name, [c.greeting, t.body, c.open], { href, text: c.button }).replace(
    '</body>',
    `<p style="font-size:small">${esc(c.why)}<br>${esc(c.noReply)}</p>\n</body>`,
  );
  return { subject, text, html };
}

/** The confirmation mail for a new address: its single-use link. */
export function renderConfirmation(lang: MailLanguage, portal: PortalIdentity, token: string): RenderedMail {
  const c = common[lang];
  const href = `${portal.publicUrl}/settings/email/confirm?token=${encodeURIComponent(token)}`;
  const subject = `${portal.name}: ${c.confirmSubject}`;
  const text = [c.greeting, '', c.confirmBody, '', href, '', c.noReply, '', `— ${portal.name}`].join('\n');
  const html = layout(lang, portal.name, [c.greeting, c.confirmBody], { href, text: c.confirmButton });
  return { subject, text, html };
}
