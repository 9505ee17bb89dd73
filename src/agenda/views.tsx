// Pages of the staff agenda (agenda:read): the day and week views, one appointment, booking for a patient and moving
// an appointment. Tables are DataTables (caption, th scope): on a phone each row stacks as a card, so the agenda
// never scrolls sideways at 390 px.
import type { AppointmentType, FreeTime } from '../appointments/index.js';
import { atLocal, localDate, localTime, nextDate, REASON_MAX } from '../appointments/index.js';
import { StaffBirthDate } from '../patients/index.js';
import type { PatientHit, SearchResult } from '../patients/index.js';
import { formatDate } from '../platform/i18n/format.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import {
  Alert,
  Button,
  ButtonGroup,
  ButtonLink,
  Choices,
  DataTable,
  EmptyState,
  ErrorSummary,
  Fieldset,
  Form,
  HiddenField,
  Link,
  List,
  Page,
  ProviderText,
  Section,
  Select,
  SummaryList,
  Text,
  TextArea,
  TextField,
  type Column,
  type FieldError,
} from '../platform/web/components/index.js';
import type { PageContext } from '../platform/web/context.js';
import { absenceName } from './admin-views.js';
import type { AgendaData, AppointmentDetail, AppointmentEntry, Entry } from './agenda.js';
import { daysOf } from './ranges.js';

export const AGENDA = '/staff/agenda';
const errorOf = (errors: readonly FieldError[], field: string) => errors.find((e) => e.field === field)?.message;

export interface AgendaQuery {
  view: 'day' | 'week';
  /** 'YYYY-MM-DD', the day shown or a day of the week shown. */
  date: string;
  staffId: string | null;
}

export function agendaHref(q: AgendaQuery): string {
  const p = new URLSearchParams({ view: q.view, date: q.date });
  if (q.staffId) p.set('staff', q.staffId);
  return `${AGENDA}?${p.toString()}`;
}

/** The Monday of the week of a date. */
export function mondayOf(date: string): string {
  let d = date;
  for (let i = 0; i < 7 && new Date(`${d}T12:00:00Z`).getUTCDay() !== 1; i++) d = previousDate(d);
  return d;
}

export function previousDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

const addDays = (date: string, n: number) => {
  let d = date;
  for (let i = 0; i < Math.abs(n); i++) d = n > 0 ? nextDate(d) : previousDate(d);
  return d;
};

/** The range shown: one local day, or Monday to Monday. */
export function rangeOf(q: AgendaQuery): { from: Date; to: Date; days: string[] } {
  const first = q.view === 'day' ? q.date : mondayOf(q.date);
  const last = q.view === 'day' ? q.date : addDays(first, 6);
  const from = atLocal(first, '00:00');
  const to = atLocal(nextDate(last), '00:00');
  return { from, to, days: daysOf(from, to) };
}

const dayTitle = (ctx: PageContext, day: string) =>
  new Intl.DateTimeFormat(ctx.lang === 'nl' ? 'nl-NL' : 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${day}T12:00:00Z`));

/** 'HH:MM–HH:MM' of an entry within one day (an absence over several days shows the part of that day). */
function timeText(day: string, e: { start: Date; end: Date }): string {
  const dayStart = atLocal(day, '00:00').getTime();
  const dayEnd = atLocal(nextDate(day), '00:00').getTime();
  const start = e.start.getTime() < dayStart ? '00:00' : localTime(e.start);
  const end = e.end.getTime() >= dayEnd ? '24:00' : localTime(e.end);
  return `${start}–${end}`;
}

const statusText = (ctx: PageContext, s: string) => ctx.t(`agenda.status.${s}` as MessageKey);

function whoBooked(
  ctx: PageContext,
  a: Pick<AppointmentEntry, 'bookedBy' | 'bookedByName' | 'changedBy' | 'changedByName'>,
): string {
  const { t } = ctx;
  const booked = a.bookedBy === 'citizen' ? t('agenda.by.citizen') : (a.bookedByName ?? t('agenda.by.staff'));
  if (a.changedBy === null) return booked;
  const changed =
    a.changedBy === 'citizen'
      ? t('agenda.by.citizen')
      : a.changedBy === 'system'
        ? t('agenda.by.system')
        : (a.changedByName ?? t('agenda.by.staff'));
  return t('agenda.by.changed', { booked, changed });
}

function patientCell(ctx: PageContext, a: AppointmentEntry): JSX.Element {
  const name = a.patient?.name ?? ctx.t('agenda.patientUnknown');
  return <Link href={`${AGENDA}/appointments/${a.id}`} text={name} />;
}

function entryColumns(
  ctx: PageContext,
  day: string,
  opts: { staffColumn: boolean; reasons: boolean; staffName: (id: string) => string },
): Column<Entry>[] {
  const { t } = ctx;
  const appt = (e: Entry): AppointmentEntry | null => (e.kind === 'appointment' ? e : null);
  const cols: Column<Entry>[] = [
    { header: t('agenda.col.time'), rowHeader: true, class: 'koepel-nowrap', text: (e) => timeText(day, e) },
  ];
  if (opts.staffColumn) cols.push({ header: t('agenda.col.staff'), text: (e) => opts.staffName(e.staffId) });
  cols.push(
    {
      header: t('agenda.col.what'),
      html: (e) =>
        e.kind === 'appointment' ? (
          patientCell(ctx, e)
        ) : (
          <span safe>
            {e.kind === 'free' ? t('agenda.free') : t('agenda.absent', { kind: absenceName(ctx, e.absence) })}
          </span>
        ),
    },
    {
      header: t('agenda.col.born'),
      html: (e) => {
        const a = appt(e);
        return a?.patient ? <StaffBirthDate ctx={ctx} date={a.patient.birthDate} /> : <span>–</span>;
      },
    },
    { header: t('agenda.col.type'), provider: true, text: (e) => appt(e)?.typeName ?? null },
    { header: t('agenda.col.status'), text: (e) => (e.kind === 'appointment' ? statusText(ctx, e.status) : null) },
    {
      header: t('agenda.col.video'),
      text: (e) => (e.kind === 'appointment' ? (e.video ? t('agenda.yes') : t('agenda.no')) : null),
    },
    { header: t('agenda.col.bookedBy'), text: (e) => (e.kind === 'appointment' ? whoBooked(ctx, e) : null) },
  );
  if (opts.reasons) {
    cols.push({
      header: t('agenda.col.reason'),
      text: (e) => (e.kind === 'appointment' ? (e.reason ?? t('agenda.noReason')) : null),
    });
  }
  return cols;
}

const rowClass = (e: Entry): string | undefined =>
  e.kind === 'free'
    ? 'koepel-agenda-free'
    : e.kind === 'absence'
      ? 'koepel-agenda-blocked'
      : e.status === 'cancelled' || e.status === 'refused'
        ? 'koepel-agenda-cancelled'
        : undefined;

function overlapsDay(e: Entry, day: string): boolean {
  return (
    e.start.getTime() < atLocal(nextDate(day), '00:00').getTime() && e.end.getTime() > atLocal(day, '00:00').getTime()
  );
}

export function AgendaPage(props: {
  ctx: PageContext;
  query: AgendaQuery;
  data: AgendaData;
  /** Every employee of the organisation with an agenda, for the filter. */
  canSeeReasons: boolean;
  canBook: boolean;
}): JSX.Element {
  const { ctx, query, data } = props;
  const { t } = ctx;
  const range = rangeOf(query);
  const staffName = (id: string) => data.staff.find((s) => s.id === id)?.name ?? '–';
  const chosen = query.staffId ? data.staff.find((s) => s.id === query.staffId) : undefined;
  const who = chosen ? chosen.name : t('agenda.wholePractice');
  const first = range.days[0] ?? query.date;
  const last = range.days[range.days.length - 1] ?? query.date;
  const title =
    query.view === 'day'
      ? t('agenda.titleDay', { who, day: dayTitle(ctx, query.date) })
      : t('agenda.titleWeek', { who, from: formatDate(ctx.lang, first), to: formatDate(ctx.lang, last) });
  const step = query.view === 'day' ? 1 : 7;
  const today = localDate(new Date());
  const entriesOf = (day: string, staffId: string | null) =>
    data.entries.filter((e) => overlapsDay(e, day) && (staffId === null || e.staffId === staffId));
  const appointmentsOn = (day: string) =>
    entriesOf(day, query.staffId).filter((e) => e.kind === 'appointment' && e.status !== 'cancelled').length;

  return (
    <Page ctx={ctx} title={title}>
      <Form
        ctx={ctx}
        action={AGENDA}
        method="get"
        search={t('agenda.filter.label')}
        class="koepel-form koepel-agenda-filter"
      >
        <Fieldset legend={t('agenda.filter.legend')}>
          <Select
            id="agenda-view"
            name="view"
            label={t('agenda.filter.view')}
            options={[
              { value: 'day', label: t('agenda.filter.day') },
              { value: 'week', label: t('agenda.filter.week') },
            ]}
            selected={query.view}
          />
          <TextField id="agenda-date" name="date" type="date" label={t('agenda.filter.date')} value={query.date} />
          <Select
            id="agenda-staff"
            name="staff"
            label={t('agenda.filter.staff')}
            options={[
              { value: '', label: t('agenda.wholePractice') },
              ...data.staff.map((s) => ({ value: s.id, label: s.name })),
            ]}
            selected={query.staffId ?? ''}
          />
        </Fieldset>
        <Button text={t('agenda.filter.submit')} />
      </Form>
      <nav class="koepel-agenda-steps" aria-label={t('agenda.steps.label')}>
        <List plain class="koepel-agenda-step-list">
          <li>
            <Link
              href={agendaHref({ ...query, date: addDays(query.date, -step) })}
              text={query.view === 'day' ? t('agenda.steps.previousDay') : t('agenda.steps.previousWeek')}
            />
          </li>
          <li>
            <Link href={agendaHref({ ...query, date: today })} text={t('agenda.steps.today')} />
          </li>
          <li>
            <Link
              href={agendaHref({ ...query, date: addDays(query.date, step) })}
              text={query.view === 'day' ? t('agenda.steps.nextDay') : t('agenda.steps.nextWeek')}
            />
          </li>
        </List>
      </nav>
      {props.canBook ? <ButtonLink href={`${AGENDA}/book`} text={t('agenda.book.start')} /> : ''}
      {query.view === 'day'
        ? (query.staffId ? data.staff.filter((s) => s.id === query.staffId) : data.staff).map((s, i) => {
            const rows = entriesOf(query.date, s.id);
            const count = rows.filter((e) => e.kind === 'appointment' && e.status !== 'cancelled').length;
            return (
              <Section id={`agenda-staff-${i}`} title={s.name}>
                {rows.length === 0 ? (
                  <EmptyState text={t('agenda.emptyDay')} />
                ) : (
                  <>
                    <Text text={t('agenda.count', { count })} />
                    <DataTable
                      ctx={ctx}
                      caption={t('agenda.captionDay', { who: s.name, day: dayTitle(ctx, query.date) })}
                      captionHidden
                      rows={rows}
                      rowClass={rowClass}
                      class="koepel-agenda-table koepel-agenda-day"
                      columns={entryColumns(ctx, query.date, {
                        staffColumn: false,
                        reasons: props.canSeeReasons,
                        staffName,
                      })}
                    />
                  </>
                )}
              </Section>
            );
          })
        : range.days.map((day, i) => {
            const rows = entriesOf(day, query.staffId);
            return (
              <Section id={`agenda-day-${i}`} title={dayTitle(ctx, day)}>
                {rows.length === 0 ? (
                  <EmptyState text={t('agenda.emptyDay')} />
                ) : (
                  <>
                    <Text text={t('agenda.count', { count: appointmentsOn(day) })} />
                    <DataTable
                      ctx={ctx}
                      caption={t('agenda.captionDay', { who, day: dayTitle(ctx, day) })}
                      captionHidden
                      rows={rows}
                      rowClass={rowClass}
                      class={`koepel-agenda-table ${query.staffId === null ? 'koepel-agenda-week' : 'koepel-agenda-day'}`}
                      columns={entryColumns(ctx, day, {
                        staffColumn: query.staffId === null,
                        reasons: false,
                        staffName,
                      })}
                    />
                  </>
                )}
              </Section>
            );
          })}
      {query.view === 'day' && data.staff.length === 0 ? <EmptyState text={t('agenda.noStaff')} /> : ''}
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// One appointment
// ---------------------------------------------------------------------------------------------------------------

export function AppointmentPage(props: {
  ctx: PageContext;
  appointment: AppointmentDetail;
  canSeeReasons: boolean;
  changeable: boolean;
  done: 'booked' | 'moved' | 'cancelled' | null;
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, appointment: a } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const day = localDate(a.start);
  const back = agendaHref({ view: 'day', date: day, staffId: a.staffId || null });
  const items = [
    { label: t('agenda.detail.patient'), text: a.patient?.name ?? t('agenda.patientUnknown') },
    {
      label: t('agenda.col.born'),
      html: a.patient ? <StaffBirthDate ctx={ctx} date={a.patient.birthDate} /> : <span>–</span>,
    },
    { label: t('agenda.detail.patientNumber'), text: a.patientNumber },
    { label: t('agenda.detail.when'), text: `${dayTitle(ctx, day)}, ${timeText(day, a)}` },
    { label: t('agenda.col.staff'), text: a.staffName },
    { label: t('agenda.col.type'), html: <ProviderText ctx={ctx} text={a.typeName} /> },
    { label: t('agenda.col.status'), text: statusText(ctx, a.status) },
    { label: t('agenda.col.video'), text: a.video ? t('agenda.yes') : t('agenda.no') },
    { label: t('agenda.col.bookedBy'), text: whoBooked(ctx, a) },
  ];
  if (props.canSeeReasons) items.push({ label: t('agenda.col.reason'), text: a.reason ?? t('agenda.noReason') });
  return (
    <Page
      ctx={ctx}
      title={t('agenda.detail.title', { name: a.patient?.name ?? t('agenda.patientUnknown') })}
      errors={errors}
      back={{ href: back, label: t('agenda.detail.back') }}
    >
      {props.done ? <Alert kind="ok" text={t(`agenda.detail.done.${props.done}` as MessageKey)} /> : ''}
      <ErrorSummary ctx={ctx} errors={errors} />
      <SummaryList items={items} />
      {props.changeable ? (
        <>
          <Section id="move-title" title={t('agenda.move.title')}>
            <Text text={t('agenda.move.intro')} />
            <ButtonLink
              href={`${AGENDA}/appointments/${a.id}/move?date=${day}`}
              style="secondary"
              text={t('agenda.move.start')}
            />
          </Section>
          <Section id="cancel-title" title={t('agenda.cancel.title')}>
            <Text text={t('agenda.cancel.intro')} />
            <Form ctx={ctx} action={`${AGENDA}/appointments/${a.id}/cancel`}>
              <Button style="secondary" text={t('agenda.cancel.submit')} />
            </Form>
          </Section>
        </>
      ) : (
        ''
      )}
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Choosing a free time (booking and moving)
// ---------------------------------------------------------------------------------------------------------------

export interface TimeChoice {
  type: AppointmentType | null;
  staff: { id: string; name: string }[];
  staffId: string | null;
  date: string;
  times: FreeTime[];
}

const timeValue = (f: FreeTime) => `${f.staffId}|${f.start.toISOString()}`;

function TimeChoices(props: {
  ctx: PageContext;
  choice: TimeChoice;
  checked: string;
  error: string | undefined;
}): JSX.Element {
  const { ctx, choice } = props;
  const { t } = ctx;
  const name = (id: string) => choice.staff.find((s) => s.id === id)?.name ?? '';
  if (choice.times.length === 0) return <EmptyState text={t('agenda.times.none')} />;
  return (
    <div id="time" tabindex="-1">
      <Choices
        type="radio"
        idPrefix="time"
        name="time"
        legend={t('agenda.times.legend', { day: dayTitle(ctx, choice.date) })}
        options={choice.times.map((f) => ({
          value: timeValue(f),
          label: t('agenda.times.option', {
            time: `${localTime(f.start)}–${localTime(f.end)}`,
            staff: name(f.staffId),
          }),
        }))}
        checked={[props.checked]}
        error={props.error}
      />
    </div>
  );
}

/** The GET form that picks type, employee and day (shared by booking and moving). */
function ChoiceFilter(props: {
  ctx: PageContext;
  action: string;
  types: AppointmentType[] | null;
  choice: TimeChoice;
}): JSX.Element {
  const { ctx, choice } = props;
  const { t } = ctx;
  return (
    <Form ctx={ctx} action={props.action} method="get" class="koepel-form" label={t('agenda.times.filter')}>
      <Fieldset legend={t('agenda.times.filter')}>
        {props.types ? (
          <Select
            id="choose-type"
            name="type"
            label={t('agenda.col.type')}
            options={[
              { value: '', label: t('agenda.book.chooseType') },
              ...props.types.map((x) => ({
                value: x.id,
                label: t('agenda.book.typeOption', { name: x.name, count: x.durationMinutes }),
              })),
            ]}
            selected={choice.type?.id ?? ''}
          />
        ) : (
          ''
        )}
        <Select
          id="choose-staff"
          name="staff"
          label={t('agenda.col.staff')}
          options={[
            { value: '', label: t('agenda.anyone') },
            ...choice.staff.map((s) => ({ value: s.id, label: s.name })),
          ]}
          selected={choice.staffId ?? ''}
        />
        <TextField id="choose-date" name="date" type="date" label={t('agenda.filter.date')} value={choice.date} />
      </Fieldset>
      <Button style="secondary" text={t('agenda.times.show')} />
    </Form>
  );
}

export function BookSearchPage(props: {
  ctx: PageContext;
  values: { name: string; born: string };
  result?: SearchResult;
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, result } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  return (
    <Page
      ctx={ctx}
      title={t('agenda.book.title')}
      errors={errors}
      back={{ href: AGENDA, label: t('agenda.back') }}
      intro={t('agenda.book.searchIntro')}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      {/* POST: names and birth dates never end up in a URL. */}
      <Form ctx={ctx} action={`${AGENDA}/book/search`} class="koepel-search" novalidate>
        <TextField
          id="search-name"
          name="name"
          label={t('patients.search.name')}
          hint={t('patients.search.nameHint')}
          value={props.values.name}
          autocomplete="off"
          spellcheck={false}
          maxlength={100}
          error={errorOf(errors, 'search-name')}
        />
        <TextField
          id="search-born"
          name="born"
          type="date"
          label={t('patients.search.born')}
          hint={t('patients.search.bornHint')}
          value={/^\d{4}-\d{2}-\d{2}$/.test(props.values.born) ? props.values.born : ''}
          autocomplete="off"
          error={errorOf(errors, 'search-born')}
        />
        <div class="koepel-search-submit">
          <Button text={t('patients.search.submit')} />
        </div>
      </Form>
      {result ? (
        result.hits.length === 0 ? (
          <EmptyState text={t('agenda.book.noPatients')} />
        ) : (
          <DataTable
            ctx={ctx}
            caption={t('agenda.book.results', { count: result.hits.length })}
            rows={result.hits}
            columns={[
              {
                header: t('agenda.detail.patient'),
                rowHeader: true,
                html: (h: PatientHit) => (
                  <Link href={`${AGENDA}/book/${h.citizenId}`} text={t('agenda.book.choose', { name: h.name })} />
                ),
              },
              { header: t('agenda.col.born'), html: (h) => <StaffBirthDate ctx={ctx} date={h.birthDate} /> },
              { header: t('agenda.detail.patientNumber'), text: (h) => h.patientNumber },
            ]}
          />
        )
      ) : (
        ''
      )}
    </Page>
  );
}

export function BookPage(props: {
  ctx: PageContext;
  patient: { citizenId: string; name: string; birthDate: PatientHit['birthDate']; patientNumber: string | null };
  types: AppointmentType[];
  choice: TimeChoice;
  idempotencyKey: string;
  values?: { time: string; reason: string };
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, patient, choice } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const base = `${AGENDA}/book/${patient.citizenId}`;
  return (
    <Page
      ctx={ctx}
      title={t('agenda.book.forTitle', { name: patient.name })}
      errors={errors}
      back={{ href: `${AGENDA}/book`, label: t('agenda.book.back') }}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      <SummaryList
        items={[
          { label: t('agenda.detail.patient'), text: patient.name },
          { label: t('agenda.col.born'), html: <StaffBirthDate ctx={ctx} date={patient.birthDate} /> },
          { label: t('agenda.detail.patientNumber'), text: patient.patientNumber },
        ]}
      />
      <ChoiceFilter ctx={ctx} action={base} types={props.types} choice={choice} />
      {choice.type ? (
        <Section id="book-times-title" title={t('agenda.book.timesTitle')}>
          <Form ctx={ctx} action={base} novalidate>
            <HiddenField name="type" value={choice.type.id} />
            <HiddenField name="key" value={props.idempotencyKey} />
            <TimeChoices ctx={ctx} choice={choice} checked={props.values?.time ?? ''} error={errorOf(errors, 'time')} />
            {choice.times.length > 0 ? (
              <>
                <TextArea
                  id="reason"
                  name="reason"
                  label={t('agenda.book.reason')}
                  hint={t('agenda.book.reasonHint', { max: REASON_MAX })}
                  value={props.values?.reason ?? ''}
                  maxLength={REASON_MAX}
                  error={errorOf(errors, 'reason')}
                />
                <ButtonGroup>
                  <Button text={t('agenda.book.submit')} />
                </ButtonGroup>
              </>
            ) : (
              ''
            )}
          </Form>
        </Section>
      ) : (
        <Text text={t('agenda.book.chooseTypeFirst')} />
      )}
    </Page>
  );
}

export function MovePage(props: {
  ctx: PageContext;
  appointment: AppointmentDetail;
  choice: TimeChoice;
  checked?: string;
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, appointment: a, choice } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const base = `${AGENDA}/appointments/${a.id}`;
  const day = localDate(a.start);
  return (
    <Page
      ctx={ctx}
      title={t('agenda.move.pageTitle', { name: a.patient?.name ?? t('agenda.patientUnknown') })}
      errors={errors}
      back={{ href: base, label: t('agenda.move.back') }}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      <Text
        text={t('agenda.move.now', {
          type: a.typeName,
          when: `${dayTitle(ctx, day)}, ${timeText(day, a)}`,
          staff: a.staffName ?? '–',
        })}
      />
      <ChoiceFilter ctx={ctx} action={`${base}/move`} types={null} choice={choice} />
      <Section id="move-times-title" title={t('agenda.move.timesTitle')}>
        <Form ctx={ctx} action={`${base}/move`} novalidate>
          <TimeChoices ctx={ctx} choice={choice} checked={props.checked ?? ''} error={errorOf(errors, 'time')} />
          {choice.times.length > 0 ? <Button text={t('agenda.move.submit')} /> : ''}
        </Form>
      </Section>
    </Page>
  );
}
