// The record store: every record resource a provider system sent, encrypted under its organisation's key, with its
// category (what a citizen may see is decided in the database). No routes: the FHIR API writes and reads through it,
// the dossier, home and staff pages read through it.
import { defineCapability } from '../platform/capability.js';

export {
  CITIZEN_RECORD_TYPES,
  isCitizenRecordType,
  isRecordCategory,
  isRecordResourceType,
  type CitizenRecordType,
  RECORD_CATEGORIES,
  RECORD_RESOURCE_TYPES,
  categorise,
  effectiveAt,
} from './categories.js';
export {
  deleteResource,
  readResourceVersions,
  type ResourceVersion,
  listAttachments,
  readAttachment,
  readResources,
  readResourcePage,
  RecordWriteError,
  writeResources,
  type AttachmentInfo,
  type FhirJson,
  type ResourceFilter,
  type ResourceWrite,
  type StoredResource,
  type WriteOutcome,
  type WriteResult,
} from './store.js';

export const record = defineCapability({ name: 'record', register: () => undefined });
