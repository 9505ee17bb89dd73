// Texts of the operator's app register (/operator/apps).
import { defineMessages } from '../platform/i18n/i18n.js';
const nl = {
  'operatorApps.title': 'Apps voor inwoners',
  'operatorApps.link': 'Apps voor inwoners (register)',
  'operatorApps.back': 'Naar de beveiligingsmeldingen',
  'operatorApps.intro':
    'Inwoners kunnen een app uit dit register toestemming geven om hun gegevens te lezen. Andere apps kunnen daar niet om vragen. Inwoners zien de naam en de maker precies zoals u ze hier invult.',
  'operatorApps.none': 'Er zijn nog geen apps aangemeld.',
  'operatorApps.caption': 'Aangemelde apps, nieuwste eerst',
  'operatorApps.revokeNote':
    'Intrekken werkt direct: de app kan daarna geen gegevens meer lezen, ook niet met toegangstokens die hij al heeft. Intrekken kan niet ongedaan worden gemaakt; meld de app zo nodig opnieuw aan.',
  'operatorApps.col.name': 'Naam',
  'operatorApps.col.vendor': 'Maker',
  'operatorApps.col.clientId': 'Client-ID',
  'operatorApps.col.kind': 'Soort',
  'operatorApps.col.redirectUris': 'Terugkeeradressen',
  'operatorApps.col.registered': 'Aangemeld',
  'operatorApps.col.status': 'Status',
  'operatorApps.col.action': 'Actie',
  'operatorApps.kind.public': 'Openbaar (PKCE)',
  'operatorApps.kind.confidential': 'Vertrouwelijk (met geheim)',
  'operatorApps.active': 'Actief',
  'operatorApps.revokedOn': 'Ingetrokken op {date}',
  'operatorApps.revoke': 'Intrekken',
  'operatorApps.revokeLabel': 'App {name} intrekken',
  'operatorApps.register.title': 'App aanmelden',
  'operatorApps.register.name': 'Naam van de app',
  'operatorApps.register.nameHint':
    'Zoals inwoners de app kennen. Zij zien deze naam als zij toestemming geven. Hoogstens 100 tekens.',
  'operatorApps.register.vendor': 'Maker',
  'operatorApps.register.vendorHint':
    'De organisatie die de app maakt en aanbiedt. Inwoners zien ook deze naam. Hoogstens 100 tekens.',
  'operatorApps.register.redirectUris': 'Terugkeeradressen (redirect URI’s)',
  'operatorApps.register.redirectUrisHint':
    'Eén adres per regel, hoogstens 10. Toegestaan zijn: een https-adres (https://app.voorbeeld.nl/callback); een http-adres alleen op 127.0.0.1 of [::1], voor een app op de eigen computer (http://127.0.0.1:8080/callback); of een eigen app-schema in omgekeerde domeinvorm, voor een app op een telefoon (nl.voorbeeld.app:/callback). Geen # en geen gebruikersnaam of wachtwoord in het adres. De app moet precies hetzelfde adres gebruiken.',
  'operatorApps.register.kind': 'Soort app',
  'operatorApps.register.kindHint': 'Dit bepaalt of de app een geheim krijgt. U kunt dit later niet wijzigen.',
  'operatorApps.register.kind.public': 'Openbaar (PKCE)',
  'operatorApps.register.kind.publicHint':
    'Een app op de telefoon of computer van de inwoner. Zo’n app kan geen geheim bewaren; hij beveiligt elke aanvraag met PKCE.',
  'operatorApps.register.kind.confidential': 'Vertrouwelijk (met geheim)',
  'operatorApps.register.kind.confidentialHint':
    'Een webapplicatie die op een eigen server draait. Die krijgt een geheim, dat u één keer te zien krijgt, en gebruikt daarnaast PKCE.',
  'operatorApps.register.submit': 'App aanmelden',
  'operatorApps.errors.name': 'Vul de naam van de app in, van 1 tot 100 tekens.',
  'operatorApps.errors.vendor': 'Vul de maker van de app in, van 1 tot 100 tekens.',
  'operatorApps.errors.controlCharacters': 'Gebruik geen onzichtbare stuurtekens in dit veld.',
  'operatorApps.errors.redirectUris.none': 'Vul ten minste één terugkeeradres in.',
  'operatorApps.errors.redirectUris.tooMany': 'Vul hoogstens {max} terugkeeradressen in. U vulde er {count} in.',
  'operatorApps.errors.redirectUris.invalid':
    'Regel {line} is geen toegestaan terugkeeradres: {uri}. Gebruik https, http alleen op 127.0.0.1 of [::1], of een app-schema zoals nl.voorbeeld.app:/callback, zonder #.',
  'operatorApps.errors.redirectUris.duplicate': 'Regel {line} herhaalt een adres dat er al staat: {uri}.',
  'operatorApps.errors.kind': 'Kies of de app openbaar of vertrouwelijk is.',
  'operatorApps.created.title': 'App aangemeld',
  'operatorApps.created.warningTitle': 'Kopieer het geheim nu',
  'operatorApps.created.warning':
    'Het geheim staat alleen op deze pagina. Het portaal bewaart het niet leesbaar en kan het later niet meer laten zien. Geef het via een veilige weg aan de maker van de app, niet per e-mail of chat. Raakt het geheim kwijt, trek de app dan in en meld hem opnieuw aan.',
  'operatorApps.created.publicNote':
    'Deze app is openbaar: hij krijgt geen geheim en beveiligt elke aanvraag met PKCE. Geef de maker de client-ID.',
  'operatorApps.created.name': 'Naam',
  'operatorApps.created.vendor': 'Maker',
  'operatorApps.created.kind': 'Soort',
  'operatorApps.created.clientId': 'Client-ID',
  'operatorApps.created.secret': 'Geheim (client secret)',
  'operatorApps.created.redirectUris': 'Terugkeeradressen',
  'operatorApps.created.done': 'Terug naar het overzicht',
  'operatorApps.created.doneSecret': 'Ik heb het geheim opgeslagen, terug naar het overzicht',
} as const;

const en: Record<keyof typeof nl, string> = {
  'operatorApps.title': 'Apps for citizens',
  'operatorApps.link': 'Apps for citizens (register)',
  'operatorApps.back': 'To the security alerts',
  'operatorApps.intro':
    'Citizens can allow an app registered here to read their data. Only apps in this register can ask for that. Citizens see the name and the maker exactly as you enter them here.',
  'operatorApps.none': 'No apps have been registered yet.',
  'operatorApps.caption': 'Registered apps, newest first',
  'operatorApps.revokeNote':
    'Revoking takes effect at once: the app can no longer read any data, not even with access tokens it already has. Revoking cannot be undone; register the app again if needed.',
  'operatorApps.col.name': 'Name',
  'operatorApps.col.vendor': 'Maker',
  'operatorApps.col.clientId': 'Client ID',
  'operatorApps.col.kind': 'Kind',
  'operatorApps.col.redirectUris': 'Redirect URIs',
  'operatorApps.col.registered': 'Registered',
  'operatorApps.col.status': 'Status',
  'operatorApps.col.action': 'Action',
  'operatorApps.kind.public': 'Public (PKCE)',
  'operatorApps.kind.confidential': 'Confidential (with secret)',
  'operatorApps.active': 'Active',
  'operatorApps.revokedOn': 'Revoked on {date}',
  'operatorApps.revoke': 'Revoke',
  'operatorApps.revokeLabel': 'Revoke app {name}',
  'operatorApps.register.title': 'Register an app',
  'operatorApps.register.name': 'Name of the app',
  'operatorApps.register.nameHint':
    'As citizens know the app. They see this name when they give their consent. At most 100 characters.',
  'operatorApps.register.vendor': 'Maker',
  'operatorApps.register.vendorHint':
    'The organisation that makes and offers the app. Citizens see this name too. At most 100 characters.',
  'operatorApps.register.redirectUris': 'Redirect URIs',
  'operatorApps.register.redirectUrisHint':
    'One address per line, at most 10. Allowed are: an https address (https://app.example.nl/callback); an http address only on 127.0.0.1 or [::1], for an app on the citizen’s own computer (http://127.0.0.1:8080/callback); or an app’s own scheme in reverse domain form, for an app on a phone (nl.voorbeeld.app:/callback). No # and no user name or password in the address. The app must use exactly the same address.',
  'operatorApps.register.kind': 'Kind of app',
  'operatorApps.register.kindHint': 'This decides whether the app gets a secret. You cannot change it later.',
  'operatorApps.register.kind.public': 'Public (PKCE)',
  'operatorApps.register.kind.publicHint':
    'An app on the citizen’s phone or computer. Such an app cannot keep a secret; it protects every request with PKCE.',
  'operatorApps.register.kind.confidential': 'Confidential (with secret)',
  'operatorApps.register.kind.confidentialHint':
    'A web application running on its own server. It gets a secret, which you are shown once, and uses PKCE as well.',
  'operatorApps.register.submit': 'Register app',
  'operatorApps.errors.name': 'Enter the name of the app, of 1 to 100 characters.',
  'operatorApps.errors.vendor': 'Enter the maker of the app, of 1 to 100 characters.',
  'operatorApps.errors.controlCharacters': 'Do not use invisible control characters in this field.',
  'operatorApps.errors.redirectUris.none': 'Enter at least one redirect URI.',
  'operatorApps.errors.redirectUris.tooMany': 'Enter at most {max} redirect URIs. You entered {count}.',
  'operatorApps.errors.redirectUris.invalid':
    'Line {line} is not an allowed redirect URI: {uri}. Use https, http only on 127.0.0.1 or [::1], or an app scheme such as nl.voorbeeld.app:/callback, without #.',
  'operatorApps.errors.redirectUris.duplicate': 'Line {line} repeats an address already given: {uri}.',
  'operatorApps.errors.kind': 'Choose whether the app is public or confidential.',
  'operatorApps.created.title': 'App registered',
  'operatorApps.created.warningTitle': 'Copy the secret now',
  'operatorApps.created.warning':
    'The secret is shown on this page only. The portal does not keep it in readable form and cannot show it again. Pass it to the app’s maker by a secure route, not by e-mail or chat. If it is lost, revoke the app and register it again.',
  'operatorApps.created.publicNote':
    'This app is public: it gets no secret and protects every request with PKCE. Give the maker the client ID.',
  'operatorApps.created.name': 'Name',
  'operatorApps.created.vendor': 'Maker',
  'operatorApps.created.kind': 'Kind',
  'operatorApps.created.clientId': 'Client ID',
  'operatorApps.created.secret': 'Secret (client secret)',
  'operatorApps.created.redirectUris': 'Redirect URIs',
  'operatorApps.created.done': 'Back to the overview',
  'operatorApps.created.doneSecret': 'I have stored the secret, back to the overview',
};

export const citizenAppOperatorMessages = defineMessages({ nl, en });

type CitizenAppOperatorMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends CitizenAppOperatorMessages {}
}
