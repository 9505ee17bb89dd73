// Texts of the API client administration (koppelingen met het eigen systeem).
import { defineMessages } from '../platform/i18n/i18n.js';
const nl = {
  'apiClients.home.link': 'Koppelingen met uw eigen systemen (API-clients)',
  'apiClients.title': 'Koppelingen (API-clients)',
  'apiClients.intro':
    'Met een API-client stuurt het systeem van uw organisatie (HIS, apotheeksysteem, EPD) gegevens naar het portaal via FHIR. Elke client krijgt een eigen geheim. Het systeem kan alleen gegevens sturen voor patiënten met een lopende zorgrelatie met uw organisatie.',
  'apiClients.back': 'Terug naar de werkplek',
  'apiClients.caption': 'API-clients van {organisation}',
  'apiClients.none': 'Uw organisatie heeft nog geen API-clients.',
  'apiClients.col.name': 'Naam',
  'apiClients.col.clientId': 'Client-ID',
  'apiClients.col.created': 'Aangemaakt',
  'apiClients.col.lastUsed': 'Laatst gebruikt',
  'apiClients.col.status': 'Status',
  'apiClients.col.action': 'Actie',
  'apiClients.never': 'Nog niet gebruikt',
  'apiClients.active': 'Actief',
  'apiClients.revokedOn': 'Ingetrokken op {date}',
  'apiClients.revoke': 'Intrekken',
  'apiClients.revokeLabel': 'Intrekken: {name}',
  'apiClients.create.title': 'Nieuwe API-client',
  'apiClients.create.name': 'Naam',
  'apiClients.create.nameHint': 'Waarvoor is deze koppeling? Bijvoorbeeld "HIS Medicom productie".',
  'apiClients.create.submit': 'API-client aanmaken',
  'apiClients.errors.name': 'Vul een naam in van 1 tot 100 tekens.',
  'apiClients.created.title': 'API-client aangemaakt',
  'apiClients.created.warningTitle': 'Kopieer het geheim nu',
  'apiClients.created.warning':
    'Het geheim staat alleen op deze pagina. Het portaal bewaart het niet leesbaar en kan het u later niet meer laten zien. Bent u het kwijt, trek de client dan in en maak een nieuwe aan. Bewaar het geheim alleen in de configuratie van uw systeem, niet in e-mail of chat.',
  'apiClients.created.name': 'Naam',
  'apiClients.created.clientId': 'Client-ID',
  'apiClients.created.secret': 'Geheim (client secret)',
  'apiClients.created.tokenUrl': 'Token-adres (OAuth2 client credentials)',
  'apiClients.created.fhirUrl': 'FHIR-adres',
  'apiClients.created.done': 'Ik heb het geheim opgeslagen, terug naar het overzicht',
  'apiClients.revoke.title': 'API-client intrekken',
  'apiClients.revoke.body':
    'Weet u zeker dat u de API-client "{name}" wilt intrekken? Het systeem dat deze client gebruikt kan daarna direct geen gegevens meer sturen. Dit kunt u niet ongedaan maken.',
  'apiClients.revoke.confirm': 'Ja, intrekken',
  'apiClients.revoke.cancel': 'Nee, terug naar het overzicht',
  'apiClients.revoked': 'De API-client is ingetrokken. Toegangstokens van deze client werken niet meer.',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'apiClients.home.link': 'Connections with your own systems (API clients)',
  'apiClients.title': 'Connections (API clients)',
  'apiClients.intro':
    "With an API client, your organisation's system (GP system, pharmacy system, EHR) sends data to the portal over FHIR. Each client has its own secret. The system can only send data for patients with a current care relationship with your organisation.",
  'apiClients.back': 'Back to the workplace',
  'apiClients.caption': 'API clients of {organisation}',
  'apiClients.none': 'Your organisation has no API clients yet.',
  'apiClients.col.name': 'Name',
  'apiClients.col.clientId': 'Client ID',
  'apiClients.col.created': 'Created',
  'apiClients.col.lastUsed': 'Last used',
  'apiClients.col.status': 'Status',
  'apiClients.col.action': 'Action',
  'apiClients.never': 'Not used yet',
  'apiClients.active': 'Active',
  'apiClients.revokedOn': 'Revoked on {date}',
  'apiClients.revoke': 'Revoke',
  'apiClients.revokeLabel': 'Revoke: {name}',
  'apiClients.create.title': 'New API client',
  'apiClients.create.name': 'Name',
  'apiClients.create.nameHint': 'What is this connection for? For example "GP system production".',
  'apiClients.create.submit': 'Create API client',
  'apiClients.errors.name': 'Enter a name of 1 to 100 characters.',
  'apiClients.created.title': 'API client created',
  'apiClients.created.warningTitle': 'Copy the secret now',
  'apiClients.created.warning':
    'The secret is shown on this page only. The portal does not keep it in readable form and cannot show it to you again. If you lose it, revoke the client and create a new one. Keep the secret only in your system’s configuration, not in e-mail or chat.',
  'apiClients.created.name': 'Name',
  'apiClients.created.clientId': 'Client ID',
  'apiClients.created.secret': 'Secret (client secret)',
  'apiClients.created.tokenUrl': 'Token URL (OAuth2 client credentials)',
  'apiClients.created.fhirUrl': 'FHIR base URL',
  'apiClients.created.done': 'I have stored the secret, back to the overview',
  'apiClients.revoke.title': 'Revoke API client',
  'apiClients.revoke.body':
    'Are you sure you want to revoke the API client "{name}"? The system that uses it can no longer send data, starting now. This cannot be undone.',
  'apiClients.revoke.confirm': 'Yes, revoke',
  'apiClients.revoke.cancel': 'No, back to the overview',
  'apiClients.revoked': 'The API client has been revoked. Its access tokens no longer work.',
};

export const apiClientMessages = defineMessages({ nl, en });

type ApiClientMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends ApiClientMessages {}
}
