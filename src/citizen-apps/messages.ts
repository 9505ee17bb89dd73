// Texts of the consent page (/oauth/authorize) and the citizen's "Gekoppelde apps" page (/apps).
import { defineMessages } from '../platform/i18n/i18n.js';
const nl = {
  'apps.nav': 'Gekoppelde apps',
  'apps.authorize.title': '{app} toegang geven tot uw gegevens?',
  'apps.authorize.asks': 'De app {app} (van {vendor}) vraagt of hij uw gegevens in {portal} mag lezen.',
  'apps.authorize.loginFirst':
    'Log eerst in met DigiD. Daarna ziet u precies waar de app om vraagt, en kiest u of u toegang geeft.',
  'apps.authorize.loginWithDigid': 'Inloggen met DigiD',
  'apps.authorize.cancel': 'Annuleren en terug naar de app',
  'apps.authorize.can.title': 'Wat de app dan kan',
  'apps.authorize.can.read':
    'Alles lezen wat uw zorgverleners u in dit portaal laten zien: afspraken, episodes, allergieën en bijzonderheden, uitslagen, brieven en verslagen, medicatie en uw zorgteam.',
  'apps.authorize.can.readOnly':
    'Alleen lezen. De app kan niets veranderen, geen berichten sturen en geen afspraken maken.',
  'apps.authorize.can.until':
    'Telkens een uur. Daarna vraagt de app het opnieuw en bevestigt u het hier, na inloggen met DigiD. U kunt de toegang altijd intrekken op de pagina ‘Gekoppelde apps’.',
  'apps.authorize.again':
    'U gaf {app} op {date} al toegang. De app vraagt het opnieuw, omdat zijn toegang telkens na een uur afloopt.',
  'apps.authorize.know.title': 'Goed om te weten',
  'apps.authorize.know.log':
    'Elke keer dat de app uw gegevens leest, ziet u dat terug op de pagina ‘Wie heeft mijn gegevens bekeken’.',
  'apps.authorize.know.vendor':
    'De maker van de app ({vendor}) is verantwoordelijk voor wat de app met uw gegevens doet. Geef alleen toegang als u de app vertrouwt.',
  'apps.authorize.know.back': 'Na uw keuze gaat u terug naar {app}.',
  'apps.authorize.approve': 'Toegang geven',
  'apps.authorize.decline': 'Geen toegang geven',
  'apps.authorize.bad.title': 'Deze app kan hier geen toegang vragen',
  'apps.authorize.bad.client': 'Dit portaal kent de app niet, of de app mag hier geen toegang meer vragen.',
  'apps.authorize.bad.redirect':
    'Het verzoek van de app klopt niet: het adres waar de app het antwoord wil ontvangen, hoort niet bij de app.',
  'apps.authorize.bad.nothingShared':
    'Er zijn geen gegevens gedeeld. Neem contact op met de maker van de app als u de app wilt gebruiken.',
  'apps.authorize.toPortal': 'Naar de startpagina van het portaal',

  'apps.title': 'Gekoppelde apps',
  'apps.intro':
    'Dit zijn de apps die u toegang heeft gegeven tot uw gegevens. U kunt de toegang altijd intrekken; de app kan daarna direct niets meer lezen.',
  'apps.none': 'U heeft geen apps toegang gegeven.',
  'apps.vendor': 'Maker',
  'apps.grantedAt': 'Toegang gegeven op',
  'apps.lastUsed': 'Laatst gebruikt',
  'apps.notUsed': 'Nog niet',
  'apps.revokedByOperator':
    'De beheerder van het portaal heeft deze app uitgeschakeld. De app kan uw gegevens niet meer lezen.',
  'apps.withdraw': 'Toegang intrekken',
  'apps.withdrawLabel': 'Toegang intrekken voor {app}',
  'apps.withdrawn': 'De toegang van {app} is ingetrokken. De app kan uw gegevens niet meer lezen.',
  'apps.how.title': 'Hoe krijgt een app toegang?',
  'apps.how.body':
    'Een app vraagt het zelf: u komt dan via de app op een pagina van dit portaal, logt in met DigiD en kiest of u toegang geeft. Alleen apps die de beheerder van het portaal heeft aangemeld, kunnen dat vragen.',
  'apps.how.log': 'Bekijk wanneer apps uw gegevens hebben gelezen',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'apps.nav': 'Connected apps',
  'apps.authorize.title': 'Give {app} access to your data?',
  'apps.authorize.asks': 'The app {app} (by {vendor}) asks whether it may read your data in {portal}.',
  'apps.authorize.loginFirst':
    'Log in with DigiD first. You will then see exactly what the app asks for, and choose whether to give access.',
  'apps.authorize.loginWithDigid': 'Log in with DigiD',
  'apps.authorize.cancel': 'Cancel and go back to the app',
  'apps.authorize.can.title': 'What the app can then do',
  'apps.authorize.can.read':
    'Read everything your care providers show you in this portal: appointments, episodes, allergies and particulars, results, letters and reports, medication and your care team.',
  'apps.authorize.can.readOnly': 'Read only. The app cannot change anything, send messages or book appointments.',
  'apps.authorize.can.until':
    'For an hour at a time. After that the app asks again and you confirm it here, after logging in with DigiD. You can withdraw access at any time on the ‘Connected apps’ page.',
  'apps.authorize.again':
    'You gave {app} access on {date}. The app asks again because its access ends after an hour each time.',
  'apps.authorize.know.title': 'Good to know',
  'apps.authorize.know.log':
    'Every time the app reads your data, you can see it on the ‘Who has looked at my data’ page.',
  'apps.authorize.know.vendor':
    'The maker of the app ({vendor}) is responsible for what the app does with your data. Only give access if you trust the app.',
  'apps.authorize.know.back': 'After you choose, you go back to {app}.',
  'apps.authorize.approve': 'Give access',
  'apps.authorize.decline': 'Do not give access',
  'apps.authorize.bad.title': 'This app cannot ask for access here',
  'apps.authorize.bad.client': 'This portal does not know the app, or the app may no longer ask for access here.',
  'apps.authorize.bad.redirect':
    'The app’s request is not right: the address where the app wants to receive the answer does not belong to the app.',
  'apps.authorize.bad.nothingShared': 'No data has been shared. Contact the maker of the app if you want to use it.',
  'apps.authorize.toPortal': 'To the portal’s start page',

  'apps.title': 'Connected apps',
  'apps.intro':
    'These are the apps you have given access to your data. You can withdraw access at any time; the app can then read nothing more, straight away.',
  'apps.none': 'You have not given any app access.',
  'apps.vendor': 'Maker',
  'apps.grantedAt': 'Access given on',
  'apps.lastUsed': 'Last used',
  'apps.notUsed': 'Not yet',
  'apps.revokedByOperator': 'The portal’s administrator has switched this app off. It can no longer read your data.',
  'apps.withdraw': 'Withdraw access',
  'apps.withdrawLabel': 'Withdraw access for {app}',
  'apps.withdrawn': 'Access of {app} has been withdrawn. The app can no longer read your data.',
  'apps.how.title': 'How does an app get access?',
  'apps.how.body':
    'The app asks for it: it takes you to a page of this portal, you log in with DigiD and choose whether to give access. Only apps registered by the portal’s administrator can ask.',
  'apps.how.log': 'See when apps have read your data',
};

export const citizenAppMessages = defineMessages({ nl, en });

type CitizenAppMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends CitizenAppMessages {}
}
