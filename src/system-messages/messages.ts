// Texts of the system messages (MG-9): the citizen's tab and the operator's notices page. A stored message holds a
// kind and parameters only; its text is made here, at read time, in the reader's language.
import { defineMessages } from '../platform/i18n/i18n.js';

// What came in, per record category, as the rest of a sentence ("… heeft nieuwe {what} voor u klaargezet").
const nlCategory =
  '{category, select, lab {labuitslagen} documents {brieven en verslagen} medication {medicatiegegevens} ' +
  'appointments {afspraken} episodes {gegevens over klachten en aandoeningen} ' +
  'sensitivities {gegevens over overgevoeligheden en bijzonderheden} careteam {gegevens over uw zorgteam} ' +
  'vitals {metingen} findings {bevindingen} immunisations {vaccinatiegegevens} procedures {gegevens over verrichtingen} ' +
  'visits {gegevens over contacten} aids {gegevens over hulpmiddelen} directives {wilsverklaringen en behandelafspraken} ' +
  'careplan {gegevens over uw zorgplan} payer {verzekeringsgegevens} other {gegevens}}';
const enCategory =
  '{category, select, lab {lab results} documents {letters and reports} medication {medication details} ' +
  'appointments {appointments} episodes {details of complaints and conditions} ' +
  'sensitivities {details of allergies and particulars} careteam {details of your care team} ' +
  'vitals {measurements} findings {findings} immunisations {vaccination details} procedures {details of procedures} ' +
  'visits {details of visits} aids {details of medical aids} directives {advance directives and treatment agreements} ' +
  'careplan {details of your care plan} payer {insurance details} other {details}}';

const nl = {
  'systemMessages.nav': 'Systeemberichten',
  'systemMessages.navCount': 'Systeemberichten, {count, plural, one {# ongelezen} other {# ongelezen}}',
  'systemMessages.title': 'Berichten',
  'systemMessages.tabs': 'Soort berichten',
  'systemMessages.tab.conversations': 'Gesprekken',
  'systemMessages.tab.system': 'Systeemberichten',
  'systemMessages.tab.systemCount': 'Systeemberichten, {count, plural, one {# ongelezen} other {# ongelezen}}',
  'systemMessages.intro':
    'Berichten van het portaal zelf: nieuwe gegevens van uw zorgverleners, uw bestellingen en wijzigingen in het portaal. U kunt op deze berichten niet antwoorden.',
  'systemMessages.heading': 'Systeemberichten',
  'systemMessages.count':
    '{count, plural, =0 {Geen berichten} one {# bericht} other {# berichten}}, {unread} ongelezen',
  'systemMessages.none': 'U heeft nog geen systeemberichten.',
  'systemMessages.unread': 'Nieuw',
  'systemMessages.read': 'Gelezen op {date}',
  'systemMessages.received': 'Ontvangen op {date}',
  'systemMessages.pagination': 'Pagina’s met systeemberichten',
  'systemMessages.back': 'Terug naar systeemberichten',
  'systemMessages.sender': 'Van: {portal}',
  'systemMessages.about': 'Over: {organisation}',
  'systemMessages.newData.title': '{organisation} heeft nieuwe ' + nlCategory + ' voor u klaargezet',
  'systemMessages.newData.body':
    'U vindt ze in uw dossier. Het portaal stuurt u geen nieuw bericht over deze gegevens zolang u dit bericht niet heeft geopend.',
  'systemMessages.newData.link': 'Bekijk de ' + nlCategory + ' van {organisation}',
  'systemMessages.order.title':
    '{status, select, question {{organisation} heeft een vraag over uw bestelling} approved {{organisation} heeft uw bestelling goedgekeurd} refused {{organisation} heeft uw bestelling afgewezen} ready {Uw bestelling ligt klaar bij {organisation}} sent {{organisation} heeft uw bestelling verzonden} delivered {Uw bestelling van {organisation} is afgeleverd} other {{organisation} heeft uw bestelling behandeld}}',
  'systemMessages.order.body':
    '{status, select, question {Beantwoord de vraag bij uw bestelling.} refused {Bij uw bestelling leest u waarom.} ready {U kunt uw medicijnen ophalen.} other {Bij uw bestelling ziet u wat er is gebeurd.}}',
  'systemMessages.order.link': 'Bekijk uw bestelling',
  'systemMessages.portal.title':
    '{topic, select, functions {{portal} heeft per {date} nieuwe functies} maintenance {{portal} is op {date} een deel van de dag niet beschikbaar door onderhoud} other {{portal} is per {date} verbeterd}}',
  'systemMessages.portal.body':
    '{topic, select, maintenance {Plan wat u in het portaal wilt doen op een andere dag. Bij spoed belt u 112 of uw huisarts.} other {U hoeft niets te doen.}}',
  'systemMessages.privacy.title': 'De privacyverklaring van {portal} is per {date} gewijzigd',
  'systemMessages.privacy.body': 'Lees in de privacyverklaring wat wij met uw gegevens doen en welke rechten u heeft.',
  'systemMessages.privacy.link': 'Lees de privacyverklaring',
  // The operator's side.
  'systemMessages.operator.nav': 'Berichten aan alle gebruikers',
  'systemMessages.operator.title': 'Berichten aan alle gebruikers van een portaal',
  'systemMessages.operator.intro':
    'Een bericht hier komt in de systeemberichten van iedereen die het portaal gebruikt (niet van wie zich later aanmeldt). De tekst staat vast: u kiest het soort bericht en de datum. Elk bericht wordt vastgelegd in het auditlog.',
  'systemMessages.operator.formTitle': 'Nieuw bericht',
  'systemMessages.operator.portal': 'Portaal',
  'systemMessages.operator.kind': 'Soort bericht',
  'systemMessages.operator.kind.improvements': 'Het portaal is verbeterd',
  'systemMessages.operator.kind.functions': 'Het portaal heeft nieuwe functies',
  'systemMessages.operator.kind.maintenance': 'Onderhoud: het portaal is een deel van de dag niet beschikbaar',
  'systemMessages.operator.kind.privacy': 'De privacyverklaring is gewijzigd',
  'systemMessages.operator.date': 'Datum',
  'systemMessages.operator.dateHint':
    'De datum waarop de wijziging ingaat of het onderhoud is. Bijvoorbeeld 2027-03-01.',
  'systemMessages.operator.post': 'Bericht plaatsen',
  'systemMessages.operator.posted': 'Het bericht is geplaatst.',
  'systemMessages.operator.preview': 'Gebruikers lezen: “{text}”',
  'systemMessages.operator.listTitle': 'Geplaatste berichten',
  'systemMessages.operator.caption': 'Geplaatste berichten, nieuwste eerst',
  'systemMessages.operator.colPosted': 'Geplaatst',
  'systemMessages.operator.colPortal': 'Portaal',
  'systemMessages.operator.colText': 'Bericht',
  'systemMessages.operator.colBy': 'Door',
  'systemMessages.operator.byRelease': 'Koepel (privacyverklaring bijgewerkt)',
  'systemMessages.operator.byOperator': 'Beheerder',
  'systemMessages.operator.none': 'Er zijn nog geen berichten geplaatst.',
  'systemMessages.operator.errors.kind': 'Kies het soort bericht.',
  'systemMessages.operator.errors.portal': 'Kies een portaal.',
  'systemMessages.operator.errors.date': 'Vul een datum in als jjjj-mm-dd, niet meer dan een jaar terug of vooruit.',
  'systemMessages.operator.errors.duplicate': 'Er staat al een bericht van deze soort voor deze datum.',
};

const en: { [K in keyof typeof nl]?: string } = {
  'systemMessages.nav': 'System messages',
  'systemMessages.navCount': 'System messages, {count} unread',
  'systemMessages.title': 'Messages',
  'systemMessages.tabs': 'Kind of messages',
  'systemMessages.tab.conversations': 'Conversations',
  'systemMessages.tab.system': 'System messages',
  'systemMessages.tab.systemCount': 'System messages, {count} unread',
  'systemMessages.intro':
    'Messages from the portal itself: new data from your care providers, your orders and changes to the portal. You cannot reply to these messages.',
  'systemMessages.heading': 'System messages',
  'systemMessages.count': '{count, plural, =0 {No messages} one {# message} other {# messages}}, {unread} unread',
  'systemMessages.none': 'You have no system messages yet.',
  'systemMessages.unread': 'New',
  'systemMessages.read': 'Read on {date}',
  'systemMessages.received': 'Received on {date}',
  'systemMessages.pagination': 'Pages of system messages',
  'systemMessages.back': 'Back to system messages',
  'systemMessages.sender': 'From: {portal}',
  'systemMessages.about': 'About: {organisation}',
  'systemMessages.newData.title': '{organisation} has new ' + enCategory + ' for you',
  'systemMessages.newData.body':
    'You will find them in your record. The portal sends you no new message about this data until you have opened this one.',
  'systemMessages.newData.link': 'See the ' + enCategory + ' from {organisation}',
  'systemMessages.order.title':
    '{status, select, question {{organisation} has a question about your order} approved {{organisation} approved your order} refused {{organisation} refused your order} ready {Your order is ready at {organisation}} sent {{organisation} sent your order} delivered {Your order from {organisation} was delivered} other {{organisation} handled your order}}',
  'systemMessages.order.body':
    '{status, select, question {Answer the question with your order.} refused {Your order says why.} ready {You can collect your medicines.} other {Your order shows what happened.}}',
  'systemMessages.order.link': 'See your order',
  'systemMessages.portal.title':
    '{topic, select, functions {{portal} has new functions from {date}} maintenance {{portal} is unavailable for part of the day on {date} for maintenance} other {{portal} has been improved from {date}}}',
  'systemMessages.portal.body':
    '{topic, select, maintenance {Plan what you want to do in the portal for another day. In an emergency call 112 or your GP.} other {You do not need to do anything.}}',
  'systemMessages.privacy.title': 'The privacy statement of {portal} changed on {date}',
  'systemMessages.privacy.body': 'Read in the privacy statement what we do with your data and what rights you have.',
  'systemMessages.privacy.link': 'Read the privacy statement',
  'systemMessages.operator.nav': 'Messages to all users',
  'systemMessages.operator.title': 'Messages to all users of a portal',
  'systemMessages.operator.intro':
    'A message posted here appears in the system messages of everyone who uses the portal (not of those who join later). The text is fixed: you choose the kind of message and the date. Every message is recorded in the audit log.',
  'systemMessages.operator.formTitle': 'New message',
  'systemMessages.operator.portal': 'Portal',
  'systemMessages.operator.kind': 'Kind of message',
  'systemMessages.operator.kind.improvements': 'The portal has been improved',
  'systemMessages.operator.kind.functions': 'The portal has new functions',
  'systemMessages.operator.kind.maintenance': 'Maintenance: the portal is unavailable for part of the day',
  'systemMessages.operator.kind.privacy': 'The privacy statement changed',
  'systemMessages.operator.date': 'Date',
  'systemMessages.operator.dateHint':
    'The date the change takes effect or the maintenance takes place. For example 2027-03-01.',
  'systemMessages.operator.post': 'Post message',
  'systemMessages.operator.posted': 'The message has been posted.',
  'systemMessages.operator.preview': 'Users read: “{text}”',
  'systemMessages.operator.listTitle': 'Posted messages',
  'systemMessages.operator.caption': 'Posted messages, newest first',
  'systemMessages.operator.colPosted': 'Posted',
  'systemMessages.operator.colPortal': 'Portal',
  'systemMessages.operator.colText': 'Message',
  'systemMessages.operator.colBy': 'By',
  'systemMessages.operator.byRelease': 'Koepel (privacy statement updated)',
  'systemMessages.operator.byOperator': 'Operator',
  'systemMessages.operator.none': 'No messages have been posted yet.',
  'systemMessages.operator.errors.kind': 'Choose the kind of message.',
  'systemMessages.operator.errors.portal': 'Choose a portal.',
  'systemMessages.operator.errors.date': 'Enter a date as yyyy-mm-dd, at most a year back or ahead.',
  'systemMessages.operator.errors.duplicate': 'There already is a message of this kind for this date.',
};

export const systemMessageMessages = defineMessages({ nl, en });

type SystemMessageMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends SystemMessageMessages {}
}
