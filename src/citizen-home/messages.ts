// Texts of the citizen's home page.
const nl = {
  'home.title': 'Mijn overzicht',
  'home.welcome': 'Welkom, {name}',
  'home.providers.title': 'Mijn zorgverleners',
  'home.providers.intro':
    'Dit zijn de zorgverleners in {portal} bij wie u staat ingeschreven. Elke zorgverlener bepaalt zelf wat u hier online kunt regelen en is verantwoordelijk voor de gegevens die hij hier laat zien. Met vragen of verzoeken over uw gegevens kunt u bij elke zorgverlener zelf terecht.',
  'home.providers.none': 'U heeft op dit moment geen zorgrelatie met een zorgverlener in dit portaal.',
  'home.personal.title': 'Mijn gegevens',
  'home.personal.brpNote':
    'Deze gegevens komen uit de Basisregistratie Personen (BRP). U kunt ze hier niet wijzigen. Klopt er iets niet? Neem dan contact op met de gemeente waar u staat ingeschreven.',
  'home.personal.fetched': 'Opgehaald uit de BRP op {date}.',
  'home.personal.name': 'Naam',
  'home.personal.initials': 'Voorletters',
  'home.personal.bsn': 'Burgerservicenummer (BSN)',
  'home.personal.birthDate': 'Geboortedatum',
  'home.personal.gender': 'Geslacht',
  'home.personal.address': 'Adres',
  'home.gender.M': 'Man',
  'home.gender.V': 'Vrouw',
  'home.gender.O': 'Onbekend',
} as const;

const en: Partial<Record<keyof typeof nl, string>> = {
  'home.title': 'My overview',
  'home.welcome': 'Welcome, {name}',
  'home.providers.title': 'My care providers',
  'home.providers.intro':
    'These are the care providers in {portal} you are registered with. Each care provider decides what you can arrange online here and is responsible for the data it shows here. You can direct questions or requests about your data to each care provider.',
  'home.providers.none': 'You currently have no care relationship with a care provider in this portal.',
  'home.personal.title': 'My personal details',
  'home.personal.brpNote':
    'These details come from the Personal Records Database (BRP). You cannot change them here. Is something wrong? Contact the municipality where you are registered.',
  'home.personal.fetched': 'Retrieved from the BRP on {date}.',
  'home.personal.name': 'Name',
  'home.personal.initials': 'Initials',
  'home.personal.bsn': 'Citizen service number (BSN)',
  'home.personal.birthDate': 'Date of birth',
  'home.personal.gender': 'Gender',
  'home.personal.address': 'Address',
  'home.gender.M': 'Male',
  'home.gender.V': 'Female',
  'home.gender.O': 'Unknown',
};

export const homeMessages = { nl, en };
