// Texts of the citizen login (DigiD) pages.
import { defineMessages } from '../platform/i18n/i18n.js';
const nl = {
  'digid.error.title': 'Inloggen is niet gelukt',
  'digid.error.body':
    'Het antwoord van DigiD kon niet worden gecontroleerd. Misschien duurde het inloggen te lang, gebruikte u de terugknop van uw browser, of was de link niet (meer) geldig. U bent niet ingelogd.',
  'digid.error.retry': 'Probeer opnieuw in te loggen via de startpagina.',
  'digid.noBsn.title': 'Geen geldig burgerservicenummer ontvangen',
  'digid.noBsn.body':
    'DigiD gaf ons geen geldig burgerservicenummer (BSN) door. Zonder BSN kunnen wij u niet veilig herkennen, dus u bent niet ingelogd.',
  'digid.noBsn.next':
    'Probeer het later opnieuw. Lukt het dan nog niet, neem dan contact op met de technische ondersteuning (onderaan deze pagina) en noem het tijdstip; uw BSN hoeft u niet te noemen.',
  'digid.expired.title': 'Het inloggen duurde te lang',
  'digid.expired.body':
    'Tussen het begin van het inloggen en het antwoord van DigiD zat meer dan tien minuten. Om veiligheidsredenen bent u niet ingelogd.',
  'digid.cancelled.title': 'Inloggen afgebroken',
  'digid.cancelled.body': 'U heeft het inloggen bij DigiD afgebroken. U bent niet ingelogd.',
  'digid.unavailable.title': 'DigiD is niet bereikbaar',
  'digid.unavailable.body': 'Wij konden DigiD op dit moment niet bereiken. Probeer het over een paar minuten opnieuw.',
  'digid.level.title': 'Hoger DigiD-niveau nodig',
  'digid.level.body':
    'U logde in met DigiD op niveau {level}. Omdat dit portaal medische gegevens laat zien, is minimaal niveau Substantieel nodig. U bent niet ingelogd.',
  'digid.level.howto':
    'Log opnieuw in met de DigiD app met ID-check (niveau Substantieel) of met uw identiteitsbewijs (niveau Hoog). Inloggen met alleen gebruikersnaam en wachtwoord, of met sms-controle, is niet genoeg.',
  'digid.level.howtoApp': 'Op digid.nl leest u hoe u de ID-check aan uw DigiD app toevoegt. Dat doet u één keer.',
  'digid.level.name.basis': 'Basis',
  'digid.level.name.midden': 'Midden',
  'digid.level.name.substantieel': 'Substantieel',
  'digid.level.name.hoog': 'Hoog',
  'digid.level.name.unknown': 'onbekend',
  'digid.noRelationship.title': 'U heeft (nog) geen zorgrelatie met een zorgverlener in dit portaal',
  'digid.noRelationship.body':
    'DigiD heeft bevestigd wie u bent, maar geen van de zorgverleners in {portal} heeft u (nog) ingeschreven als patiënt of cliënt. Daarom kunt u hier nog niets inzien of regelen.',
  'digid.noRelationship.notLoggedIn':
    'U bent niet ingelogd in {portal}, dus u hoeft niet uit te loggen. Gebruikt u een computer van iemand anders? Sluit dan de browser.',
  'digid.noRelationship.next': 'Wat kunt u doen?',
  'digid.noRelationship.next1':
    'Vraag uw huisarts, apotheek of andere zorgverlener of zij dit portaal gebruiken en of u bij hen staat ingeschreven.',
  'digid.noRelationship.next2': 'Bent u net ingeschreven? Dan kan het enkele dagen duren voordat u hier toegang heeft.',
  'digid.noRelationship.next3':
    'Heeft u vragen over dit portaal? Neem contact op met de technische ondersteuning (zie onderaan deze pagina).',
  'digid.backHome': 'Naar de startpagina',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'digid.error.title': 'Login failed',
  'digid.error.body':
    "DigiD's answer could not be verified. Perhaps logging in took too long, you used your browser's back button, or the link was not (or no longer) valid. You are not logged in.",
  'digid.error.retry': 'Try to log in again from the home page.',
  'digid.noBsn.title': 'No valid citizen service number received',
  'digid.noBsn.body':
    'DigiD did not pass on a valid citizen service number (BSN). Without it we cannot recognise you safely, so you are not logged in.',
  'digid.noBsn.next':
    'Please try again later. If it still fails, contact technical support (at the bottom of this page) and mention the time; you do not need to give your BSN.',
  'digid.expired.title': 'Logging in took too long',
  'digid.expired.body':
    'More than ten minutes passed between the start of the login and the answer from DigiD. For your safety you are not logged in.',
  'digid.cancelled.title': 'Login cancelled',
  'digid.cancelled.body': 'You cancelled logging in with DigiD. You are not logged in.',
  'digid.unavailable.title': 'DigiD cannot be reached',
  'digid.unavailable.body': 'We could not reach DigiD right now. Please try again in a few minutes.',
  'digid.level.title': 'A higher DigiD level is needed',
  'digid.level.body':
    'You logged in with DigiD at level {level}. Because this portal shows medical data, at least level Substantial is needed. You are not logged in.',
  'digid.level.howto':
    'Log in again with the DigiD app with ID check (level Substantial) or with your identity document (level High). Logging in with only a user name and password, or with an SMS check, is not enough.',
  'digid.level.howtoApp': 'On digid.nl you can read how to add the ID check to your DigiD app. You do this once.',
  'digid.level.name.basis': 'Basic',
  'digid.level.name.midden': 'Middle',
  'digid.level.name.substantieel': 'Substantial',
  'digid.level.name.hoog': 'High',
  'digid.level.name.unknown': 'unknown',
  'digid.noRelationship.title': 'You have no care relationship with a care provider in this portal (yet)',
  'digid.noRelationship.body':
    'DigiD has confirmed who you are, but none of the care providers in {portal} has registered you as a patient or client (yet). That is why there is nothing for you to see or arrange here yet.',
  'digid.noRelationship.notLoggedIn':
    "You are not logged in to {portal}, so there is nothing to log out of. Using someone else's computer? Then close the browser.",
  'digid.noRelationship.next': 'What can you do?',
  'digid.noRelationship.next1':
    'Ask your GP, pharmacy or other care provider whether they use this portal and whether you are registered with them.',
  'digid.noRelationship.next2': 'Did you register recently? Then it can take a few days before you have access here.',
  'digid.noRelationship.next3': 'Questions about this portal? Contact technical support (see the bottom of this page).',
  'digid.backHome': 'Go to the home page',
};

export const identityMessages = defineMessages({ nl, en });

type IdentityMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends IdentityMessages {}
}
