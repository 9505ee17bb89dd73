// Texts of the medication passport and the current medication overview (MG-8): the page that offers them, and the
// labels printed in the PDFs (the passport prints the Dutch and the English text of each label, the overview the
// visitor's language).
import { defineMessages } from '../platform/i18n/i18n.js';

const nl = {
  'medicationPassport.title': 'Medicijnpaspoort en medicatieoverzicht',
  'medicationPassport.intro':
    'Om af te drukken of mee te nemen: een overzicht van uw medicijnen en overgevoeligheden uit de gegevens die uw zorgverleners in dit portaal met u delen.',
  'medicationPassport.back': 'Terug naar uw medicatie',
  'medicationPassport.passport.heading': 'Medicijnpaspoort',
  'medicationPassport.passport.text':
    'Uw zorgverleners, de medicijnen die u nu gebruikt met de dosering, uw allergieën en overgevoeligheden en andere bijzonderheden. In het Nederlands en het Engels, zodat u het ook op reis kunt laten zien. Het is geen officieel reisdocument.',
  'medicationPassport.passport.download': 'Medicijnpaspoort downloaden (pdf)',
  'medicationPassport.overview.heading': 'Actueel medicatieoverzicht',
  'medicationPassport.overview.text':
    'Het overzicht zoals uw apotheek het afdrukt: per medicijn de sterkte, het gebruik, de startdatum, wie het voorschreef en waarvoor, en wat kort geleden is gestopt.',
  'medicationPassport.overview.download': 'Actueel medicatieoverzicht van {organisation} downloaden (pdf)',
  'medicationPassport.overview.none': 'Geen van uw apotheken biedt in dit portaal een actueel medicatieoverzicht aan.',
  'medicationPassport.dossierLink': 'Medicijnpaspoort of medicatieoverzicht afdrukken',
  'medicationPassport.check':
    'Controleer bij twijfel altijd bij uw apotheek of huisarts: alleen wat uw zorgverleners in dit portaal delen staat erin.',

  // In the PDFs
  'medicationPassport.pdf.title': 'Medicijnpaspoort',
  'medicationPassport.pdf.notTravel': 'Geen officieel reisdocument',
  'medicationPassport.pdf.notTravelDetail':
    'Dit medicijnpaspoort is een overzicht voor zorgverleners, geen identiteits- of reisdocument. Neem op reis ook uw paspoort of identiteitskaart mee.',
  'medicationPassport.pdf.name': 'Naam',
  'medicationPassport.pdf.birthDate': 'Geboortedatum',
  'medicationPassport.pdf.printed': 'Afgedrukt op',
  'medicationPassport.pdf.unknown': 'onbekend',
  'medicationPassport.pdf.medicines': 'Geneesmiddelen die ik nu gebruik',
  'medicationPassport.pdf.medicine': 'Geneesmiddel',
  'medicationPassport.pdf.dosage': 'Gebruik',
  'medicationPassport.pdf.since': 'Sinds',
  'medicationPassport.pdf.source': 'Bron',
  'medicationPassport.pdf.noMedicines': 'Er staan geen medicijnen die u nu gebruikt.',
  'medicationPassport.pdf.allergies': 'Allergieën en overgevoeligheden',
  'medicationPassport.pdf.substance': 'Stof',
  'medicationPassport.pdf.reaction': 'Reactie',
  'medicationPassport.pdf.criticality': 'Ernst',
  'medicationPassport.pdf.noAllergies': 'Er zijn geen allergieën of overgevoeligheden bekend.',
  'medicationPassport.pdf.particulars': 'Bijzonderheden',
  'medicationPassport.pdf.particular': 'Bijzonderheid',
  'medicationPassport.pdf.kind': 'Soort',
  'medicationPassport.pdf.noParticulars': 'Er zijn geen bijzonderheden bekend.',
  'medicationPassport.pdf.kind.alert': 'Alert',
  'medicationPassport.pdf.kind.contraindication': 'Contra-indicatie',
  'medicationPassport.pdf.kind.condition': 'Aandoening',
  'medicationPassport.pdf.providers': 'Mijn zorgverleners',
  'medicationPassport.pdf.provider': 'Zorgverlener',
  'medicationPassport.pdf.address': 'Adres',
  'medicationPassport.pdf.phone': 'Telefoon',
  'medicationPassport.pdf.noProviders': 'Geen zorgverleners.',
  'medicationPassport.pdf.criticality.high': 'hoog risico',
  'medicationPassport.pdf.criticality.low': 'laag risico',
  'medicationPassport.pdf.criticality.unable-to-assess': 'niet te beoordelen',
  'medicationPassport.pdf.continued': '(vervolg)',
  'medicationPassport.pdf.page': 'Pagina {page} van {pages}',
  'medicationPassport.pdf.madeBy':
    'Gemaakt met {portal} uit wat uw zorgverleners delen; controleer bij twijfel bij uw apotheek.',

  'medicationPassport.amo.title': 'Actueel medicatieoverzicht',
  'medicationPassport.amo.date': 'Datum overzicht',
  'medicationPassport.amo.patient': 'Patiënt',
  'medicationPassport.amo.current': 'Huidige medicatie',
  'medicationPassport.amo.recent': 'Recent gestopte medicatie',
  'medicationPassport.amo.medicine': 'Geneesmiddel (naam en sterkte)',
  'medicationPassport.amo.dosage': 'Gebruiksvoorschrift',
  'medicationPassport.amo.start': 'Startdatum',
  'medicationPassport.amo.stop': 'Stopdatum',
  'medicationPassport.amo.prescriber': 'Voorschrijver',
  'medicationPassport.amo.reason': 'Reden / indicatie',
  'medicationPassport.amo.stopReason': 'Reden stoppen',
  'medicationPassport.amo.noCurrent': 'Volgens deze apotheek gebruikt u nu geen medicijnen.',
  'medicationPassport.amo.noRecent': 'Er is de afgelopen 6 maanden geen medicatie gestopt.',
  'medicationPassport.amo.allergies': 'Overgevoeligheden en contra-indicaties',
  'medicationPassport.amo.noAllergies': 'Deze apotheek heeft geen overgevoeligheden of contra-indicaties vastgelegd.',
  'medicationPassport.amo.footer':
    'Actueel medicatieoverzicht van {organisation}, gemaakt op {date} uit de gegevens die de apotheek via {portal} deelt.',
  'medicationPassport.amo.phone': 'Telefoon {phone}',

  'accessLog.event.citizen.medication.passport.view': 'Pagina medicijnpaspoort bekeken',
  'accessLog.event.citizen.medication.passport.download': 'Medicijnpaspoort gedownload',
  'accessLog.event.citizen.medication.overview.download': 'Actueel medicatieoverzicht gedownload',
  'auditView.event.citizen.medication.passport.view': 'Pagina medicijnpaspoort bekeken',
  'auditView.event.citizen.medication.passport.download': 'Medicijnpaspoort gedownload',
  'auditView.event.citizen.medication.overview.download': 'Actueel medicatieoverzicht gedownload',
};

const en: Partial<Record<keyof typeof nl, string>> = {
  'medicationPassport.title': 'Medication passport and overview',
  'medicationPassport.intro':
    'To print or take with you: an overview of your medicines and sensitivities from what your care providers share with you in this portal.',
  'medicationPassport.back': 'Back to your medication',
  'medicationPassport.passport.heading': 'Medication passport',
  'medicationPassport.passport.text':
    'Your care providers, the medicines you use now with their dosage, your allergies and intolerances and other particulars. In Dutch and English, so that you can show it when travelling too. It is not an official travel document.',
  'medicationPassport.passport.download': 'Download the medication passport (pdf)',
  'medicationPassport.overview.heading': 'Current medication overview',
  'medicationPassport.overview.text':
    'The overview as your pharmacy prints it: for each medicine its strength, how to use it, the start date, who prescribed it and what for, and what was stopped recently.',
  'medicationPassport.overview.download': 'Download the current medication overview of {organisation} (pdf)',
  'medicationPassport.overview.none': 'None of your pharmacies offers a current medication overview in this portal.',
  'medicationPassport.dossierLink': 'Print a medication passport or overview',
  'medicationPassport.check':
    'When in doubt, always check with your pharmacy or GP: it holds only what your care providers share in this portal.',

  'medicationPassport.pdf.title': 'Medication passport',
  'medicationPassport.pdf.notTravel': 'Not an official travel document',
  'medicationPassport.pdf.notTravelDetail':
    'This medication passport is an overview for care providers, not an identity or travel document. When travelling, also take your passport or identity card.',
  'medicationPassport.pdf.name': 'Name',
  'medicationPassport.pdf.birthDate': 'Date of birth',
  'medicationPassport.pdf.printed': 'Printed on',
  'medicationPassport.pdf.unknown': 'unknown',
  'medicationPassport.pdf.medicines': 'Medicines I use now',
  'medicationPassport.pdf.medicine': 'Medicine',
  'medicationPassport.pdf.dosage': 'Dosage',
  'medicationPassport.pdf.since': 'Since',
  'medicationPassport.pdf.source': 'Source',
  'medicationPassport.pdf.noMedicines': 'There are no medicines you use now.',
  'medicationPassport.pdf.allergies': 'Allergies and intolerances',
  'medicationPassport.pdf.substance': 'Substance',
  'medicationPassport.pdf.reaction': 'Reaction',
  'medicationPassport.pdf.criticality': 'Severity',
  'medicationPassport.pdf.noAllergies': 'No allergies or intolerances are known.',
  'medicationPassport.pdf.particulars': 'Particulars',
  'medicationPassport.pdf.particular': 'Particular',
  'medicationPassport.pdf.kind': 'Kind',
  'medicationPassport.pdf.noParticulars': 'No particulars are known.',
  'medicationPassport.pdf.kind.alert': 'Alert',
  'medicationPassport.pdf.kind.contraindication': 'Contraindication',
  'medicationPassport.pdf.kind.condition': 'Condition',
  'medicationPassport.pdf.providers': 'My care providers',
  'medicationPassport.pdf.provider': 'Care provider',
  'medicationPassport.pdf.address': 'Address',
  'medicationPassport.pdf.phone': 'Phone',
  'medicationPassport.pdf.noProviders': 'No care providers.',
  'medicationPassport.pdf.criticality.high': 'high risk',
  'medicationPassport.pdf.criticality.low': 'low risk',
  'medicationPassport.pdf.criticality.unable-to-assess': 'cannot be assessed',
  'medicationPassport.pdf.continued': '(continued)',
  'medicationPassport.pdf.page': 'Page {page} of {pages}',
  'medicationPassport.pdf.madeBy':
    'Made with {portal} from what your care providers share; when in doubt, check with your pharmacy.',

  'medicationPassport.amo.title': 'Current medication overview',
  'medicationPassport.amo.date': 'Date of overview',
  'medicationPassport.amo.patient': 'Patient',
  'medicationPassport.amo.current': 'Current medication',
  'medicationPassport.amo.recent': 'Recently stopped medication',
  'medicationPassport.amo.medicine': 'Medicine (name and strength)',
  'medicationPassport.amo.dosage': 'Instructions for use',
  'medicationPassport.amo.start': 'Start date',
  'medicationPassport.amo.stop': 'Stop date',
  'medicationPassport.amo.prescriber': 'Prescriber',
  'medicationPassport.amo.reason': 'Reason / indication',
  'medicationPassport.amo.stopReason': 'Reason for stopping',
  'medicationPassport.amo.noCurrent': 'According to this pharmacy you use no medicines now.',
  'medicationPassport.amo.noRecent': 'No medication was stopped in the past 6 months.',
  'medicationPassport.amo.allergies': 'Sensitivities and contraindications',
  'medicationPassport.amo.noAllergies': 'This pharmacy has recorded no sensitivities or contraindications.',
  'medicationPassport.amo.footer':
    'Current medication overview of {organisation}, made on {date} from what the pharmacy shares through {portal}.',
  'medicationPassport.amo.phone': 'Phone {phone}',

  'accessLog.event.citizen.medication.passport.view': 'Viewed the medication passport page',
  'accessLog.event.citizen.medication.passport.download': 'Downloaded the medication passport',
  'accessLog.event.citizen.medication.overview.download': 'Downloaded the current medication overview',
  'auditView.event.citizen.medication.passport.view': 'Medication passport page viewed',
  'auditView.event.citizen.medication.passport.download': 'Medication passport downloaded',
  'auditView.event.citizen.medication.overview.download': 'Current medication overview downloaded',
};

export const medicationPassportMessages = defineMessages({ nl, en });

type MedicationPassportMessages = typeof nl;
declare module '../platform/i18n/i18n.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this catalogue's keys to every translator
  interface MessageRegistry extends MedicationPassportMessages {}
}
