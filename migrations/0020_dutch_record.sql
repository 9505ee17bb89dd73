-- Issue 11: the record as Dutch systems send it (nl-core zib2020, medication process 9). More resource types are
-- stored per citizen, three more belong to the organisation's directory, and the record has more categories, each
-- one an organisation can switch on or off (MG-1) and a citizen can ask for (MG-7).
--
-- Categories: vitals (vital signs), findings (other observations: lifestyle, functioning, scores, wounds),
-- immunisations, procedures, visits (encounters and episodes of care), aids (medical devices), directives
-- (treatment directives and advance directives), careplan (goals, care plans, nutrition orders), payer (insurance).
alter table record_resource drop constraint record_resource_resource_type_check;
alter table record_resource add constraint record_resource_resource_type_check check (resource_type in (
  'Patient', 'Appointment', 'Condition', 'AllergyIntolerance', 'Observation', 'DocumentReference',
  'MedicationStatement', 'MedicationRequest', 'MedicationDispense', 'MedicationAdministration', 'CareTeam',
  'Encounter', 'EpisodeOfCare', 'Procedure', 'Immunization', 'ImmunizationRecommendation', 'DiagnosticReport',
  'Specimen', 'Flag', 'Device', 'DeviceUseStatement', 'Consent', 'RelatedPerson', 'NutritionOrder', 'Goal',
  'CarePlan', 'Coverage', 'Composition', 'Media'));

alter table record_resource drop constraint record_resource_category_check;
alter table record_resource add constraint record_resource_category_check check (category in ('patient',
  'appointments', 'episodes', 'sensitivities', 'lab', 'documents', 'medication', 'careteam', 'vitals', 'findings',
  'immunisations', 'procedures', 'visits', 'aids', 'directives', 'careplan', 'payer'));

alter table record_category_grant drop constraint record_category_grant_category_check;
alter table record_category_grant add constraint record_category_grant_category_check check (category in (
  'appointments', 'episodes', 'sensitivities', 'lab', 'documents', 'medication', 'careteam', 'vitals', 'findings',
  'immunisations', 'procedures', 'visits', 'aids', 'directives', 'careplan', 'payer'));

alter table record_access_request drop constraint record_access_request_categories_check;
alter table record_access_request add constraint record_access_request_categories_check
  check (cardinality(categories) between 1 and 16);

-- Organizations, Locations and Medications (MP9 sends the product as its own resource) belong to the organisation
-- that sent them, like its practitioners: no citizen is named in them.
alter table directory_resource drop constraint directory_resource_resource_type_check;
alter table directory_resource add constraint directory_resource_resource_type_check check (resource_type in (
  'Practitioner', 'PractitionerRole', 'Organization', 'Location', 'Medication'));

-- New categories are on by default. Organisations that exist keep their choice for the categories they had and get
-- the new ones switched on: until now their systems could not send such data at all, so nothing becomes visible
-- that was hidden, and data they send from now on is shown unless the admin switches the category off.
alter table organisation alter column record_categories set default
  '{appointments,episodes,sensitivities,lab,documents,medication,careteam,vitals,findings,immunisations,procedures,visits,aids,directives,careplan,payer}';
update organisation set record_categories = record_categories ||
  array(select c from unnest('{vitals,findings,immunisations,procedures,visits,aids,directives,careplan,payer}'::text[]) c
        where not c = any(record_categories));
