// Texts of the operator's pages (security alerts).
import { defineMessages } from '../platform/i18n/i18n.js';
const nl = {
  'operator.alerts.title': 'Beveiligingsmeldingen',
  'operator.alerts.intro':
    'Meldingen van mogelijk misbruik, zoals het raden van wachtwoorden. Het onderwerp is een pseudoniem (een sleutel van het account of het adres): e-mailadressen en IP-adressen staan hier niet in.',
  'operator.alerts.caption': 'Meldingen, nieuwste eerst ({open} open)',
  'operator.alerts.colTime': 'Tijdstip',
  'operator.alerts.colKind': 'Soort',
  'operator.alerts.colSubject': 'Onderwerp (pseudoniem)',
  'operator.alerts.colDetail': 'Toelichting',
  'operator.alerts.colStatus': 'Status',
  'operator.alerts.none': 'Er zijn geen beveiligingsmeldingen.',
  'operator.alerts.acknowledge': 'Afgehandeld',
  'operator.alerts.acknowledgeLabel': 'Melding van {time} markeren als afgehandeld',
  'operator.alerts.acknowledgedAt': 'Afgehandeld op {time}',
  'operator.alerts.kind.password-guessing': 'Mogelijk raden van wachtwoorden',
  'operator.alerts.subject.account': 'account',
  'operator.alerts.subject.address': 'adres',
  'operator.alerts.detail.account':
    '{failures} mislukte inlogpogingen op dit account binnen {minutes} minuten. Geblokkeerd tot {until}.',
  'operator.alerts.detail.address':
    '{failures} mislukte inlogpogingen vanaf dit adres binnen {minutes} minuten. Geblokkeerd tot {until}.',
  'operator.alerts.kind.spread-guessing': 'Aanval op een koppeling vanaf veel adressen',
  'operator.alerts.subject.client': 'koppeling',
  'operator.alerts.detail.spread':
    '{failures} mislukte aanmeldingen van deze koppeling (client id) vanaf verschillende adressen binnen {minutes} minuten. Elk adres wordt apart geblokkeerd; de koppeling zelf niet. Het auditlog noemt de koppeling.',
  // Issue 14 (operator): the job queue (jobs.tsx).
  'operator.jobs.nav': 'Achtergrondtaken',
  'operator.jobs.title': 'Achtergrondtaken',
  'operator.jobs.intro':
    'E-mails, leveringen aan systemen van organisaties en herinneringen lopen als achtergrondtaken. Een taak die te vaak mislukt, stopt ("mislukt"): zet hem opnieuw in de wachtrij als de oorzaak is verholpen. Inhoud van taken staat hier niet.',
  'operator.jobs.countsTitle': 'Taken per soort en toestand',
  'operator.jobs.none': 'Er zijn geen taken.',
  'operator.jobs.colKind': 'Soort',
  'operator.jobs.state.queued': 'Wachtend',
  'operator.jobs.state.running': 'Bezig',
  'operator.jobs.state.done': 'Klaar',
  'operator.jobs.state.dead': 'Mislukt',
  'operator.jobs.deadTitle': 'Mislukte taken ({count})',
  'operator.jobs.deadCaption': 'Mislukte taken, nieuwste eerst (pagina {page} van {pages})',
  'operator.jobs.noDead': 'Er zijn geen mislukte taken.',
  'operator.jobs.colId': 'Nummer',
  'operator.jobs.colAttempts': 'Pogingen',
  'operator.jobs.colError': 'Laatste fout',
  'operator.jobs.colWhen': 'Mislukt op',
  'operator.jobs.colAction': 'Actie',
  'operator.jobs.requeue': 'Opnieuw in de wachtrij',
  'operator.jobs.requeueLabel': 'Taak {id} ({kind}) opnieuw in de wachtrij zetten',
  'operator.jobs.requeued': 'De taak staat weer in de wachtrij, met al zijn pogingen.',
  'operator.jobs.pages': 'Pagina’s met mislukte taken',
  // Issue 14 (LU-10): publishing the privacy statement (privacy.tsx).
  'operator.privacy.nav': 'Privacyverklaring publiceren',
  'operator.privacy.title': 'Privacyverklaring publiceren',
  'operator.privacy.intro':
    'Publiceer een nieuwe versie van de privacyverklaring van een portaal. Eerdere versies blijven leesbaar. Alle gebruikers van het portaal krijgen een bericht dat de privacyverklaring is gewijzigd.',
  'operator.privacy.formTitle': 'Nieuwe versie',
  'operator.privacy.portal': 'Portaal',
  'operator.privacy.date': 'Datum',
  'operator.privacy.dateHint': 'Later dan de datum van de huidige versie. Bijvoorbeeld 2027-01-31.',
  'operator.privacy.body': 'Tekst',
  'operator.privacy.bodyHint':
    'Gewone tekst. Zet een lege regel tussen alinea’s. Een regel die begint met "## " is een kopje.',
  'operator.privacy.publish': 'Publiceren',
  'operator.privacy.published': 'De nieuwe versie is gepubliceerd en aangekondigd.',
  'operator.privacy.versionsTitle': 'Gepubliceerde versies',
  'operator.privacy.colVersion': 'Versie',
  'operator.privacy.publicNote': 'Versie 1 is de standaardtekst van Koepel.',
  'operator.privacy.errors.portal': 'Kies een portaal.',
  'operator.privacy.errors.date': 'Vul een datum in, niet meer dan een jaar van vandaag.',
  'operator.privacy.errors.body': 'Vul de tekst in (hoogstens 100.000 tekens).',
  'operator.privacy.errors.notLater': 'De datum moet later zijn dan de datum van de huidige versie.',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'operator.alerts.title': 'Security alerts',
  'operator.alerts.intro':
    'Alerts about possible misuse, such as password guessing. The subject is a pseudonym (a key of the account or the address): no e-mail or IP addresses are shown here.',
  'operator.alerts.caption': 'Alerts, newest first ({open} open)',
  'operator.alerts.colTime': 'Time',
  'operator.alerts.colKind': 'Kind',
  'operator.alerts.colSubject': 'Subject (pseudonym)',
  'operator.alerts.colDetail': 'Detail',
  'operator.alerts.colStatus': 'Status',
  'operator.alerts.none': 'There are no security alerts.',
  'operator.alerts.acknowledge': 'Handled',
  'operator.alerts.acknowledgeLabel': 'Mark the alert of {time} as handled',
  'operator.alerts.acknowledgedAt': 'Handled on {time}',
  'operator.alerts.kind.password-guessing': 'Possible password guessing',
  'operator.alerts.subject.account': 'account',
  'operator.alerts.subject.address': 'address',
  'operator.alerts.detail.account':
    '{failures} failed logins for this account within {minutes} minutes. Blocked until {until}.',
  'operator.alerts.detail.address':
    '{failures} failed logins from this address within {minutes} minutes. Blocked until {until}.',
  'operator.alerts.kind.spread-guessing': 'Attack on a system link from many addresses',
  'operator.alerts.subject.client': 'system link',
  'operator.alerts.detail.spread':
    '{failures} failed authentications of this system link (client id) from several addresses within {minutes} minutes. Each address is blocked on its own; the link itself is not. The audit log names the link.',
  // Issue 14 (operator): the job queue (jobs.tsx).
  'operator.jobs.nav': 'Background jobs',
  'operator.jobs.title': 'Background jobs',
  'operator.jobs.intro':
    'E-mails, deliveries to organisations’ systems and reminders run as background jobs. A job that fails too often stops ("dead"): queue it again once the cause is mended. The jobs’ contents are not shown here.',
  'operator.jobs.countsTitle': 'Jobs by kind and state',
  'operator.jobs.none': 'There are no jobs.',
  'operator.jobs.colKind': 'Kind',
  'operator.jobs.state.queued': 'Queued',
  'operator.jobs.state.running': 'Running',
  'operator.jobs.state.done': 'Done',
  'operator.jobs.state.dead': 'Dead',
  'operator.jobs.deadTitle': 'Dead jobs ({count})',
  'operator.jobs.deadCaption': 'Dead jobs, newest first (page {page} of {pages})',
  'operator.jobs.noDead': 'There are no dead jobs.',
  'operator.jobs.colId': 'Number',
  'operator.jobs.colAttempts': 'Attempts',
  'operator.jobs.colError': 'Last error',
  'operator.jobs.colWhen': 'Dead since',
  'operator.jobs.colAction': 'Action',
  'operator.jobs.requeue': 'Queue again',
  'operator.jobs.requeueLabel': 'Queue job {id} ({kind}) again',
  'operator.jobs.requeued': 'The job is queued again, with all its attempts.',
  'operator.jobs.pages': 'Pages of dead jobs',
  // Issue 14 (LU-10): publishing the privacy statement (privacy.tsx).
  'operator.privacy.nav': 'Publish the privacy statement',
  'operator.privacy.title': 'Publish the privacy statement',
  'operator.privacy.intro':
    'Publish a new version of a portal’s privacy statement. Earlier versions stay readable. Every user of the portal gets a message that the privacy statement changed.',
  'operator.privacy.formTitle': 'New version',
  'operator.privacy.portal': 'Portal',
  'operator.privacy.date': 'Date',
  'operator.privacy.dateHint': 'Later than the current version’s date. For example 2027-01-31.',
  'operator.privacy.body': 'Text',
  'operator.privacy.bodyHint':
    'Plain text. Put an empty line between paragraphs. A line starting with "## " is a heading.',
  'operator.privacy.publish': 'Publish',
  'operator.privacy.published': 'The new version is published and announced.',
  'operator.privacy.versionsTitle': 'Published versions',
  'operator.privacy.colVersion': 'Version',
  'operator.privacy.publicNote': 'Version 1 is Koepel’s standard text.',
  'operator.privacy.errors.portal': 'Choose a portal.',
  'operator.privacy.errors.date': 'Enter a date, no more than a year from today.',
  'operator.privacy.errors.body': 'Enter the text (at most 100,000 characters).',
  'operator.privacy.errors.notLater': 'The date must be later than the current version’s date.',
};

export const operatorMessages = defineMessages({ nl, en });

type OperatorMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends OperatorMessages {}
}
