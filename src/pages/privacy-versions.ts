// Issue 14 (LU-10): the versions of a portal's privacy statement (migration 0039). Version 1 is Koepel's built-in text
// (the message catalogue); later versions are the operator's text: plain paragraphs, a blank line between them, a line
// starting with "## " a heading. The text is rendered as text (escaped), never as HTML.
import { sql } from 'kysely';
import type { Tx } from '../platform/db/principal.js';

export interface PrivacyVersion {
  version: number;
  /** YYYY-MM-DD */
  publishedOn: string;
  /** Null: the built-in statement. */
  body: string | null;
}

/** The versions of a portal's statement, oldest first (without their text). */
export async function privacyVersions(tx: Tx, portalId: string): Promise<Omit<PrivacyVersion, 'body'>[]> {
  const { rows } = await sql<{ version: number; published_on: string }>`
    select version, published_on::text as published_on from privacy_statement_version
    where portal_id = ${portalId}::uuid order by version`.execute(tx);
  return rows.map((r) => ({ version: r.version, publishedOn: r.published_on }));
}

/** One version (the latest when `version` is undefined), or null. */
export async function privacyVersion(tx: Tx, portalId: string, version?: number): Promise<PrivacyVersion | null> {
  const { rows } = await sql<{ version: number; published_on: string; body: string | null }>`
    select version, published_on::text as published_on, body from privacy_statement_version
    where portal_id = ${portalId}::uuid ${version === undefined ? sql`` : sql`and version = ${version}`}
    order by version desc limit 1`.execute(tx);
  const r = rows[0];
  return r ? { version: r.version, publishedOn: r.published_on, body: r.body } : null;
}

export type Block = { kind: 'heading' | 'paragraph'; text: string };

/** The operator's text as headings and paragraphs. */
export function privacyBlocks(body: string): Block[] {
  return body
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter((b) => b.length > 0)
    .map((b) =>
      b.startsWith('## ')
        ? { kind: 'heading' as const, text: b.slice(3).trim() }
        : { kind: 'paragraph' as const, text: b.replace(/\s*\n\s*/g, ' ') },
    );
}
