// What the pages that list audit records share (the citizen's "Wie heeft mijn gegevens bekeken" and the privacy
// officer's log): the time and outcome columns, and the role of an employee in words. Their filter form: log-filter.tsx.
import type { AuditOutcome } from '../db/schema.js';
import { formatDate } from '../i18n/format.js';
import type { MessageKey } from '../i18n/i18n.js';
import type { Column } from './components/index.js';
import type { PageContext } from './context.js';

const STAFF_ROLES = ['doctor', 'assistant', 'pharmacist', 'therapist', 'social_worker', 'admin', 'privacy_officer'];

/** An employee's role in words; undefined for a role Koepel does not know (an audit record keeps what was written). */
export function staffRoleLabel(ctx: PageContext, role: string | null): string | undefined {
  return role && STAFF_ROLES.includes(role) ? ctx.t(`staff.role.${role}` as MessageKey) : undefined;
}

/** When it happened: a <time> with the instant, shown as a short date and time. */
export function timeColumn<R extends { at: Date }>(ctx: PageContext, header: string): Column<R> {
  return {
    header,
    class: 'koepel-nowrap',
    html: (e) => (
      <time datetime={e.at.toISOString()} safe>
        {formatDate(ctx.lang, e.at, 'shortDateTime')}
      </time>
    ),
  };
}

/** The outcome in words (`label`); anything but a success stands out. */
export function outcomeColumn<R extends { outcome: AuditOutcome }>(
  header: string,
  label: (outcome: AuditOutcome) => string,
): Column<R> {
  return {
    header,
    html: (e) => (
      <span class={e.outcome === 'success' ? undefined : 'koepel-outcome--refused'} safe>
        {label(e.outcome)}
      </span>
    ),
  };
}
