// Pages of the organisation's agenda settings (admin:organisation): appointment types, weekly hours and absences,
// the out-of-hours service and the agenda kind. Built from the page components only.
import type { AppointmentType } from '../appointments/index.js';
import { formatDate } from '../platform/i18n/format.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import {
  Alert,
  Button,
  ButtonLink,
  Choices,
  DataTable,
  EmptyState,
  ErrorSummary,
  Fieldset,
  Form,
  Link,
  List,
  Page,
  Section,
  Select,
  Text,
  TextField,
  type FieldError,
} from '../platform/web/components/index.js';
import type { PageContext } from '../platform/web/context.js';
import { ABSENCE_KINDS } from './agenda.js';
import {
  DURATIONS,
  localParts,
  type AbsenceRow,
  type AgendaSettings,
  type Employee,
  type HoursRow,
} from './settings.js';

const ADMIN = '/staff/admin/agenda';
const errorOf = (errors: readonly FieldError[], field: string) => errors.find((e) => e.field === field)?.message;

export const weekdayName = (ctx: PageContext, weekday: number): string =>
  ctx.t(`agenda.weekday.${weekday}` as MessageKey);
export const absenceName = (ctx: PageContext, kind: string): string => ctx.t(`agenda.absence.${kind}` as MessageKey);

export function AdminHomePage(props: { ctx: PageContext }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('agenda.admin.title')} intro={t('agenda.admin.intro')}>
      <List>
        <li>
          <Link href={`${ADMIN}/types`} text={t('agenda.admin.types.title')} />
        </li>
        <li>
          <Link href={`${ADMIN}/hours`} text={t('agenda.admin.hours.title')} />
        </li>
        <li>
          <Link href={`${ADMIN}/settings`} text={t('agenda.admin.settings.title')} />
        </li>
      </List>
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Appointment types
// ---------------------------------------------------------------------------------------------------------------

export function TypesPage(props: {
  ctx: PageContext;
  types: AppointmentType[];
  people: Employee[];
  done: 'created' | 'saved' | 'deactivated' | 'activated' | null;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const who = (type: AppointmentType) =>
    type.staffIds.length === 0
      ? t('agenda.admin.type.everyone')
      : type.staffIds.map((id) => props.people.find((p) => p.id === id)?.name ?? '–').join(', ');
  return (
    <Page ctx={ctx} title={t('agenda.admin.types.title')} back={{ href: ADMIN, label: t('agenda.admin.back') }}>
      {props.done ? <Alert kind="ok" text={t(`agenda.admin.types.done.${props.done}` as MessageKey)} /> : ''}
      <Text text={t('agenda.admin.types.intro')} />
      <ButtonLink href={`${ADMIN}/types/new`} text={t('agenda.admin.types.new')} />
      {props.types.length === 0 ? (
        <EmptyState text={t('agenda.admin.types.none')} />
      ) : (
        <DataTable
          ctx={ctx}
          caption={t('agenda.admin.types.caption')}
          rows={props.types}
          columns={[
            {
              header: t('agenda.admin.type.name'),
              rowHeader: true,
              html: (r) => <Link href={`${ADMIN}/types/${r.id}`} text={r.name} />,
            },
            { header: t('agenda.admin.type.duration'), text: (r) => t('agenda.minutes', { count: r.durationMinutes }) },
            {
              header: t('agenda.admin.type.online'),
              text: (r) => (r.onlineBookable ? t('agenda.yes') : t('agenda.no')),
            },
            { header: t('agenda.admin.type.video'), text: (r) => (r.video ? t('agenda.yes') : t('agenda.no')) },
            { header: t('agenda.admin.type.staff'), text: who },
            {
              header: t('agenda.admin.type.status'),
              text: (r) => (r.active ? t('agenda.admin.type.active') : t('agenda.admin.type.inactive')),
            },
          ]}
        />
      )}
    </Page>
  );
}

export interface TypeValues {
  name: string;
  duration: string;
  features: string[];
  staff: string[];
  horizon: string;
  notice: string;
  cancel: string;
}

export function TypeFormPage(props: {
  ctx: PageContext;
  people: Employee[];
  /** The type being edited; null for a new one. */
  type: AppointmentType | null;
  values?: TypeValues;
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, type } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const v: TypeValues = props.values ?? {
    name: type?.name ?? '',
    duration: String(type?.durationMinutes ?? 10),
    features: [...((type?.onlineBookable ?? true) ? ['online'] : []), ...((type?.video ?? false) ? ['video'] : [])],
    staff: type?.staffIds ?? [],
    horizon: String(type?.bookingHorizonDays ?? 28),
    notice: String(type?.minNoticeMinutes ?? 60),
    cancel: String(type?.cancelUntilHours ?? 24),
  };
  const title = type ? t('agenda.admin.type.editTitle', { name: type.name }) : t('agenda.admin.types.new');
  const action = type ? `${ADMIN}/types/${type.id}` : `${ADMIN}/types`;
  return (
    <Page
      ctx={ctx}
      title={title}
      errors={errors}
      back={{ href: `${ADMIN}/types`, label: t('agenda.admin.types.back') }}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      {type && !type.active ? <Alert kind="info" text={t('agenda.admin.type.isInactive')} /> : ''}
      <Form ctx={ctx} action={action} novalidate>
        <TextField
          id="type-name"
          name="name"
          label={t('agenda.admin.type.name')}
          value={v.name}
          maxlength={80}
          required
          error={errorOf(errors, 'type-name')}
        />
        <Select
          id="type-duration"
          name="duration"
          label={t('agenda.admin.type.duration')}
          options={DURATIONS.map((m) => ({ value: String(m), label: t('agenda.minutes', { count: m }) }))}
          selected={v.duration}
          error={errorOf(errors, 'type-duration')}
        />
        <Choices
          type="checkbox"
          idPrefix="type-features"
          name="features"
          legend={t('agenda.admin.type.features')}
          options={[
            { value: 'online', label: t('agenda.admin.type.online'), hint: t('agenda.admin.type.onlineHint') },
            { value: 'video', label: t('agenda.admin.type.video'), hint: t('agenda.admin.type.videoHint') },
          ]}
          checked={v.features}
        />
        {props.people.length === 0 ? (
          ''
        ) : (
          <div id="type-staff" tabindex="-1">
            <Choices
              type="checkbox"
              idPrefix="type-staff"
              name="staff"
              legend={t('agenda.admin.type.staff')}
              hint={t('agenda.admin.type.staffHint')}
              options={props.people.map((p) => ({ value: p.id, label: p.name }))}
              checked={v.staff}
              error={errorOf(errors, 'type-staff')}
            />
          </div>
        )}
        <TextField
          id="type-horizon"
          name="horizon"
          label={t('agenda.admin.type.horizon')}
          hint={t('agenda.admin.type.horizonHint')}
          value={v.horizon}
          inputmode="numeric"
          size="small"
          maxlength={3}
          error={errorOf(errors, 'type-horizon')}
        />
        <TextField
          id="type-notice"
          name="notice"
          label={t('agenda.admin.type.notice')}
          hint={t('agenda.admin.type.noticeHint')}
          value={v.notice}
          inputmode="numeric"
          size="small"
          maxlength={5}
          error={errorOf(errors, 'type-notice')}
        />
        <TextField
          id="type-cancel"
          name="cancel"
          label={t('agenda.admin.type.cancel')}
          hint={t('agenda.admin.type.cancelHint')}
          value={v.cancel}
          inputmode="numeric"
          size="small"
          maxlength={3}
          error={errorOf(errors, 'type-cancel')}
        />
        <Button text={type ? t('agenda.admin.type.save') : t('agenda.admin.type.create')} />
      </Form>
      {type ? (
        <Section id="type-status-title" title={t('agenda.admin.type.status')}>
          <Text text={type.active ? t('agenda.admin.type.deactivateHint') : t('agenda.admin.type.activateHint')} />
          <Form ctx={ctx} action={`${ADMIN}/types/${type.id}/${type.active ? 'deactivate' : 'activate'}`}>
            <Button
              style="secondary"
              text={type.active ? t('agenda.admin.type.deactivate') : t('agenda.admin.type.activate')}
            />
          </Form>
        </Section>
      ) : (
        ''
      )}
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Weekly hours and absences
// ---------------------------------------------------------------------------------------------------------------

export interface HoursValues {
  weekday: string;
  start: string;
  end: string;
  from: string;
  until: string;
}

export interface AbsenceValues {
  kind: string;
  fromDate: string;
  fromTime: string;
  toDate: string;
  toTime: string;
}

const dateText = (ctx: PageContext, d: string) => formatDate(ctx.lang, d);
const when = (ctx: PageContext, at: Date) => formatDate(ctx.lang, at, 'dateTime');

export function HoursPage(props: {
  ctx: PageContext;
  /** The list of employees (without `person`). */
  people: Employee[];
  person?: Employee;
  hours?: HoursRow[];
  absences?: AbsenceRow[];
  done?: string | null;
  hoursValues?: HoursValues | undefined;
  absenceValues?: AbsenceValues | undefined;
  errors?: FieldError[] | undefined;
}): JSX.Element {
  const { ctx, person } = props;
  const { t } = ctx;
  if (!person) {
    return (
      <Page ctx={ctx} title={t('agenda.admin.hours.title')} back={{ href: ADMIN, label: t('agenda.admin.back') }}>
        <Text text={t('agenda.admin.hours.intro')} />
        <DataTable
          ctx={ctx}
          caption={t('agenda.admin.hours.people')}
          rows={props.people}
          columns={[
            {
              header: t('agenda.admin.hours.employee'),
              rowHeader: true,
              html: (p) => <Link href={`${ADMIN}/hours/${p.id}`} text={p.name} />,
            },
          ]}
        />
      </Page>
    );
  }
  const errors = props.errors ?? [];
  const today = localParts(new Date()).date;
  const hv: HoursValues = props.hoursValues ?? { weekday: '1', start: '08:00', end: '12:00', from: today, until: '' };
  const av: AbsenceValues = props.absenceValues ?? {
    kind: 'holiday',
    fromDate: today,
    fromTime: '08:00',
    toDate: today,
    toTime: '17:00',
  };
  const hours = props.hours ?? [];
  const absences = props.absences ?? [];
  const base = `${ADMIN}/hours/${person.id}`;
  return (
    <Page
      ctx={ctx}
      title={t('agenda.admin.hours.personTitle', { name: person.name })}
      errors={errors}
      back={{ href: `${ADMIN}/hours`, label: t('agenda.admin.hours.back') }}
    >
      {props.done ? <Alert kind="ok" text={t(`agenda.admin.hours.done.${props.done}` as MessageKey)} /> : ''}
      <ErrorSummary ctx={ctx} errors={errors} />
      <Section id="hours-title" title={t('agenda.admin.hours.weekly')}>
        {hours.length === 0 ? (
          <EmptyState text={t('agenda.admin.hours.none')} />
        ) : (
          <DataTable
            ctx={ctx}
            caption={t('agenda.admin.hours.caption', { name: person.name })}
            captionHidden
            rows={hours}
            columns={[
              { header: t('agenda.admin.hours.weekday'), rowHeader: true, text: (h) => weekdayName(ctx, h.weekday) },
              { header: t('agenda.admin.hours.time'), text: (h) => `${h.start}–${h.end}` },
              { header: t('agenda.admin.hours.from'), text: (h) => dateText(ctx, h.from) },
              {
                header: t('agenda.admin.hours.until'),
                text: (h) => (h.until ? dateText(ctx, h.until) : t('agenda.admin.hours.open')),
              },
              {
                header: t('agenda.admin.actions'),
                html: (h) => (
                  <Form ctx={ctx} action={`${base}/hours/${h.id}/remove`} class="koepel-inline-form">
                    <Button
                      style="secondary"
                      text={t('agenda.admin.remove')}
                      label={t('agenda.admin.hours.removeLabel', {
                        weekday: weekdayName(ctx, h.weekday),
                        time: `${h.start}–${h.end}`,
                      })}
                    />
                  </Form>
                ),
              },
            ]}
          />
        )}
        <Form ctx={ctx} action={`${base}/hours`} novalidate>
          <Fieldset legend={t('agenda.admin.hours.add')}>
            <Select
              id="hours-weekday"
              name="weekday"
              label={t('agenda.admin.hours.weekday')}
              options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: String(d), label: weekdayName(ctx, d) }))}
              selected={hv.weekday}
              error={errorOf(errors, 'hours-weekday')}
            />
            <TextField
              id="hours-start"
              name="start"
              type="time"
              size="small"
              label={t('agenda.admin.hours.start')}
              value={hv.start}
              error={errorOf(errors, 'hours-start')}
            />
            <TextField
              id="hours-end"
              name="end"
              type="time"
              size="small"
              label={t('agenda.admin.hours.end')}
              value={hv.end}
              error={errorOf(errors, 'hours-end')}
            />
            <TextField
              id="hours-from"
              name="from"
              type="date"
              label={t('agenda.admin.hours.from')}
              value={hv.from}
              error={errorOf(errors, 'hours-from')}
            />
            <TextField
              id="hours-until"
              name="until"
              type="date"
              label={t('agenda.admin.hours.until')}
              hint={t('agenda.admin.hours.untilHint')}
              value={hv.until}
              error={errorOf(errors, 'hours-until')}
            />
          </Fieldset>
          <Button text={t('agenda.admin.hours.addButton')} />
        </Form>
      </Section>
      <Section id="absences-title" title={t('agenda.admin.absence.title')}>
        {absences.length === 0 ? (
          <EmptyState text={t('agenda.admin.absence.none')} />
        ) : (
          <DataTable
            ctx={ctx}
            caption={t('agenda.admin.absence.caption', { name: person.name })}
            captionHidden
            rows={absences}
            columns={[
              { header: t('agenda.admin.absence.kind'), rowHeader: true, text: (a) => absenceName(ctx, a.kind) },
              { header: t('agenda.admin.absence.from'), text: (a) => when(ctx, a.start) },
              { header: t('agenda.admin.absence.to'), text: (a) => when(ctx, a.end) },
              {
                header: t('agenda.admin.actions'),
                html: (a) => (
                  <Form ctx={ctx} action={`${base}/absences/${a.id}/remove`} class="koepel-inline-form">
                    <Button
                      style="secondary"
                      text={t('agenda.admin.remove')}
                      label={t('agenda.admin.absence.removeLabel', {
                        kind: absenceName(ctx, a.kind),
                        from: when(ctx, a.start),
                      })}
                    />
                  </Form>
                ),
              },
            ]}
          />
        )}
        <Form ctx={ctx} action={`${base}/absences`} novalidate>
          <Fieldset legend={t('agenda.admin.absence.add')}>
            <Select
              id="absence-kind"
              name="kind"
              label={t('agenda.admin.absence.kind')}
              options={ABSENCE_KINDS.map((k) => ({ value: k, label: absenceName(ctx, k) }))}
              selected={av.kind}
              error={errorOf(errors, 'absence-kind')}
            />
            <TextField
              id="absence-from-date"
              name="fromDate"
              type="date"
              label={t('agenda.admin.absence.fromDate')}
              value={av.fromDate}
              error={errorOf(errors, 'absence-from-date')}
            />
            <TextField
              id="absence-from-time"
              name="fromTime"
              type="time"
              size="small"
              label={t('agenda.admin.absence.fromTime')}
              value={av.fromTime}
              error={errorOf(errors, 'absence-from-time')}
            />
            <TextField
              id="absence-to-date"
              name="toDate"
              type="date"
              label={t('agenda.admin.absence.toDate')}
              value={av.toDate}
              error={errorOf(errors, 'absence-to-date')}
            />
            <TextField
              id="absence-to-time"
              name="toTime"
              type="time"
              size="small"
              label={t('agenda.admin.absence.toTime')}
              value={av.toTime}
              error={errorOf(errors, 'absence-to-time')}
            />
          </Fieldset>
          <Button text={t('agenda.admin.absence.addButton')} />
        </Form>
      </Section>
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Out-of-hours service and agenda kind
// ---------------------------------------------------------------------------------------------------------------

export function SettingsPage(props: {
  ctx: PageContext;
  settings: AgendaSettings;
  saved: boolean;
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, settings } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  return (
    <Page
      ctx={ctx}
      title={t('agenda.admin.settings.title')}
      errors={errors}
      back={{ href: ADMIN, label: t('agenda.admin.back') }}
    >
      {props.saved ? <Alert kind="ok" text={t('agenda.admin.settings.saved')} /> : ''}
      <ErrorSummary ctx={ctx} errors={errors} />
      <Text text={t('agenda.admin.settings.intro', { organisation: settings.name })} />
      <Form ctx={ctx} action={`${ADMIN}/settings`} novalidate>
        <Fieldset legend={t('agenda.admin.settings.ooh')}>
          <Text text={t('agenda.admin.settings.oohHint')} />
          <TextField
            id="settings-ooh-name"
            name="outOfHoursName"
            label={t('agenda.admin.settings.oohName')}
            value={settings.outOfHoursName ?? ''}
            maxlength={120}
            error={errorOf(errors, 'settings-ooh-name')}
          />
          <TextField
            id="settings-ooh-phone"
            name="outOfHoursPhone"
            type="tel"
            autocomplete="off"
            label={t('agenda.admin.settings.oohPhone')}
            value={settings.outOfHoursPhone ?? ''}
            maxlength={40}
            size="small"
            error={errorOf(errors, 'settings-ooh-phone')}
          />
        </Fieldset>
        <Choices
          type="radio"
          idPrefix="settings-agenda"
          name="agenda"
          legend={t('agenda.admin.settings.agenda')}
          options={[
            { value: 'koepel', label: t('agenda.admin.settings.koepel'), hint: t('agenda.admin.settings.koepelHint') },
            {
              value: 'external',
              label: t('agenda.admin.settings.external'),
              hint: t('agenda.admin.settings.externalHint'),
            },
          ]}
          checked={[settings.agenda]}
          error={errorOf(errors, 'settings-agenda-koepel')}
        />
        <Button text={t('agenda.admin.settings.save')} />
      </Form>
    </Page>
  );
}
