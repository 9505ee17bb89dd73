// The citizen's appointment pages (MG-6): the overview, the booking steps, one appointment with its change, cancel
// and reminder forms. Built from the page components; every text from the organisation or the citizen goes in as
// text, which the components escape. No JavaScript: each step is a page, the URLs carry only ids, dates and times.
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import {
  Alert,
  Button,
  ButtonGroup,
  ButtonLink,
  Card,
  CardList,
  Choices,
  DataTable,
  EmptyState,
  ErrorSummary,
  Form,
  Heading,
  HiddenField,
  Link,
  List,
  Page,
  Paragraph,
  ProviderText,
  providerLang,
  render,
  Section,
  SummaryList,
  Text,
  TextArea,
  type FieldError,
  type SummaryItem,
} from '../platform/web/components/index.js';
import type { AgendaStaff, AppointmentType } from './agenda.js';
import { REASON_MAX, REMINDER_CHOICES } from './booking.js';
import { longDay, shortDay, whenText } from './calendar.js';
import type { BookableOrganisation, Choice, OrganisationOffer, WeekOfTimes } from './flow.js';
import type { OverviewItem } from './overview.js';
import type { AppointmentStatus, CitizenAppointment } from './queries.js';
import { localDate, localTime } from './slots.js';

type T = PageContext['t'];

const telHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`;

/** A query string of ids, dates and times only (never personal data). */
export function withQuery(path: string, params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s === '' ? path : `${path}?${s}`;
}

export function statusText(t: T, status: AppointmentStatus): string {
  return t(`appointments.status.${status}`);
}

/** A provider system's FHIR status, in words. */
function systemStatusText(t: T, status: string): string {
  const key = `appointments.fhirStatus.${status}`;
  return t.has(key) ? t(key) : status;
}

export function reminderText(t: T, minutes: number | null): string {
  return minutes === null ? t('appointments.reminder.none') : t(`appointments.reminder.m${minutes}` as MessageKey);
}

/** "ingepland door Dr. A. Huisman" / "gewijzigd door L. de Boer": only when staff did it. */
function byStaffText(t: T, a: CitizenAppointment): string | null {
  if (a.changedBy === 'staff' && a.changedByName) return t('appointments.changedBy', { name: a.changedByName });
  if (a.bookedBy === 'staff' && a.bookedByName) return t('appointments.bookedBy', { name: a.bookedByName });
  return null;
}

function When(props: { ctx: PageContext; start: Date; end: Date }): JSX.Element {
  return (
    <time datetime={props.start.toISOString()} safe>
      {whenText(props.ctx.lang, props.start, props.end)}
    </time>
  );
}

function PhoneLink(props: { phone: string }): JSX.Element {
  return <Link href={telHref(props.phone)} text={props.phone} />;
}

// ---------------------------------------------------------------------------------------------------------------
// The emergency notice: first on every booking page (MG-6)
// ---------------------------------------------------------------------------------------------------------------

export function EmergencyNotice(props: { ctx: PageContext; organisations: readonly BookableOrganisation[] }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Alert kind="warning" class="koepel-emergency">
      <Paragraph>
        <strong safe>{t('appointments.emergency.call112')}</strong>
      </Paragraph>
      {props.organisations.length > 0 ? (
        <List>
          {props.organisations.map((o) => (
            <li>
              <span safe>{t('appointments.emergency.callOrganisation', { organisation: o.name })}</span>{' '}
              {o.phone ? <PhoneLink phone={o.phone} /> : ''}
              {o.outOfHours ? (
                <>
                  <br />
                  <span safe>{t('appointments.emergency.outOfHours', { name: o.outOfHours.name })}</span>{' '}
                  {o.outOfHours.phone ? <PhoneLink phone={o.outOfHours.phone} /> : ''}
                </>
              ) : (
                ''
              )}
            </li>
          ))}
        </List>
      ) : (
        ''
      )}
    </Alert>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Overview
// ---------------------------------------------------------------------------------------------------------------

function itemSummary(ctx: PageContext, i: OverviewItem): SummaryItem[] {
  const { t } = ctx;
  if (i.source === 'koepel') {
    const a = i.appointment;
    const by = byStaffText(t, a);
    return [
      { label: t('appointments.field.when'), html: <When ctx={ctx} start={a.start} end={a.end} /> },
      { label: t('appointments.field.organisation'), text: a.organisationName },
      ...(a.staffName ? [{ label: t('appointments.field.staff'), text: a.staffName }] : []),
      {
        label: t('appointments.field.status'),
        html: (
          <span>
            <span class={`koepel-status koepel-status--${a.status}`} safe>
              {statusText(t, a.status)}
            </span>
            {by ? <span safe>{` (${by})`}</span> : ''}
          </span>
        ),
      },
    ];
  }
  return [
    {
      label: t('appointments.field.when'),
      html: i.start ? (
        <time datetime={i.start.toISOString()} safe>
          {i.end
            ? whenText(ctx.lang, i.start, i.end)
            : `${longDay(ctx.lang, localDate(i.start))}, ${localTime(i.start)}`}
        </time>
      ) : (
        <span safe>{t('appointments.unknownDate')}</span>
      ),
    },
    { label: t('appointments.field.organisation'), text: i.organisationName },
    ...(i.with.length > 0 ? [{ label: t('appointments.field.staff'), text: i.with.join(', ') }] : []),
    { label: t('appointments.field.status'), text: systemStatusText(t, i.status) },
  ];
}

function itemTitle(i: OverviewItem): string {
  return i.source === 'koepel' ? i.appointment.typeName : i.title;
}

function itemId(i: OverviewItem): string {
  return i.source === 'koepel' ? `appointment-${i.appointment.id}` : `record-appointment-${i.id}`;
}

export function OverviewPage(props: {
  ctx: PageContext;
  planned: OverviewItem[];
  past: OverviewItem[];
  canBook: boolean;
  notice: 'cancelled' | null;
}): JSX.Element {
  const { ctx, planned, past } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('appointments.title')} back={{ href: '/home', label: t('appointments.backHome') }}>
      {props.notice === 'cancelled' ? <Alert kind="ok" text={t('appointments.notice.cancelled')} /> : ''}
      <Text style="intro" text={t('appointments.intro')} />
      {props.canBook ? (
        <Paragraph>
          <ButtonLink href="/appointments/new" text={t('appointments.book')} />
        </Paragraph>
      ) : (
        <Text text={t('appointments.cannotBook')} />
      )}
      <Section id="planned-title" title={t('appointments.planned')}>
        {planned.length === 0 ? (
          <EmptyState text={t('appointments.plannedNone')} />
        ) : (
          <CardList class="koepel-appointments">
            {planned.map((i) => (
              <Card
                id={itemId(i)}
                level={3}
                title={itemTitle(i)}
                titleLang={providerLang(ctx)}
                {...(i.source === 'koepel' ? { href: `/appointments/${i.appointment.id}` } : {})}
                class="koepel-appointment"
              >
                <SummaryList items={itemSummary(ctx, i)} class="koepel-facts" />
                {i.source === 'system' ? <Text style="small" text={t('appointments.fromSystem')} /> : ''}
              </Card>
            ))}
          </CardList>
        )}
      </Section>
      <Section id="past-title" title={t('appointments.past')}>
        {past.length === 0 ? (
          <EmptyState text={t('appointments.pastNone')} />
        ) : (
          <DataTable
            ctx={ctx}
            caption={t('appointments.pastCaption')}
            captionHidden
            rows={past}
            columns={[
              {
                header: t('appointments.field.type'),
                rowHeader: true,
                html: (i) =>
                  i.source === 'koepel' ? (
                    <Link href={`/appointments/${i.appointment.id}`} text={itemTitle(i)} lang={providerLang(ctx)} />
                  ) : (
                    <ProviderText ctx={ctx} text={itemTitle(i)} />
                  ),
              },
              {
                header: t('appointments.field.when'),
                html: (i) =>
                  i.start ? (
                    <time datetime={i.start.toISOString()} safe>
                      {`${longDay(ctx.lang, localDate(i.start))}, ${localTime(i.start)}`}
                    </time>
                  ) : (
                    <span safe>{t('appointments.unknownDate')}</span>
                  ),
              },
              {
                header: t('appointments.field.organisation'),
                text: (i) => (i.source === 'koepel' ? i.appointment.organisationName : i.organisationName),
              },
              {
                header: t('appointments.field.status'),
                text: (i) =>
                  i.source === 'koepel' ? statusText(t, i.appointment.status) : systemStatusText(t, i.status),
              },
            ]}
          />
        )}
      </Section>
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Booking steps
// ---------------------------------------------------------------------------------------------------------------

/** The flow's state in a URL or a form: ids, a date and a time. */
export interface FlowParams {
  org: string;
  /** A staff member's id, or 'any'. */
  staff: string;
  type?: string;
  day?: string;
  time?: string | null;
  slot?: string | null;
}

function flowQuery(p: FlowParams): Record<string, string | null | undefined> {
  return { org: p.org, staff: p.staff, type: p.type, day: p.day, time: p.time, slot: p.slot };
}

function FlowFields(props: { params: FlowParams }): JSX.Element {
  const q = flowQuery(props.params);
  return <>{Object.entries(q).map(([name, value]) => (value ? <HiddenField name={name} value={value} /> : ''))}</>;
}

function Step(props: { ctx: PageContext; n: number; total: number }): JSX.Element {
  return <Text style="small" text={props.ctx.t('appointments.step', { n: props.n, total: props.total })} />;
}

const totalSteps = (o: BookableOrganisation) => (o.agenda === 'external' ? 5 : 6);
/** The step number of a step of the Koepel flow, for an organisation whose own system skips the staff step. */
const stepNo = (o: BookableOrganisation, n: number) => (o.agenda === 'external' && n > 2 ? n - 1 : n);

export function ChooseOrganisationPage(props: { ctx: PageContext; organisations: BookableOrganisation[] }) {
  const { ctx, organisations } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('appointments.new.title')} back={{ href: '/appointments', label: t('appointments.back') }}>
      <EmergencyNotice ctx={ctx} organisations={organisations} />
      <Text style="small" text={t('appointments.step', { n: 1, total: 6 })} />
      <Section id="choose-organisation" title={t('appointments.new.organisation')}>
        {organisations.length === 0 ? (
          <EmptyState text={t('appointments.cannotBook')} />
        ) : (
          <CardList class="koepel-choices">
            {organisations.map((o) => (
              <Card
                id={`org-${o.id}`}
                level={3}
                title={o.name}
                href={withQuery(o.agenda === 'external' ? '/appointments/new/type' : '/appointments/new/staff', {
                  org: o.id,
                  staff: o.agenda === 'external' ? 'any' : null,
                })}
              >
                {o.address ? <Text style="small" text={o.address} /> : ''}
                {o.agenda === 'external' ? <Text style="small" text={t('appointments.new.externalHint')} /> : ''}
              </Card>
            ))}
          </CardList>
        )}
      </Section>
    </Page>
  );
}

export function ChooseStaffPage(props: { ctx: PageContext; offer: OrganisationOffer }) {
  const { ctx, offer } = props;
  const { t } = ctx;
  const o = offer.organisation;
  const to = (staff: string) => withQuery('/appointments/new/type', { org: o.id, staff });
  return (
    <Page
      ctx={ctx}
      title={t('appointments.new.staff', { organisation: o.name })}
      back={{ href: '/appointments/new', label: t('appointments.new.backOrganisation') }}
    >
      <EmergencyNotice ctx={ctx} organisations={[o]} />
      <Step ctx={ctx} n={2} total={totalSteps(o)} />
      <List class="koepel-choice-list">
        <li>
          <Link href={to('any')} text={t('appointments.new.anyone')} />
        </li>
        {offer.staff.map((s) => (
          <li>
            <Link href={to(s.id)} text={s.name} />
          </li>
        ))}
      </List>
    </Page>
  );
}

export function ChooseTypePage(props: {
  ctx: PageContext;
  offer: OrganisationOffer;
  staff: AgendaStaff | null;
  types: AppointmentType[];
}) {
  const { ctx, offer, staff, types } = props;
  const { t } = ctx;
  const o = offer.organisation;
  const staffParam = staff?.id ?? 'any';
  return (
    <Page
      ctx={ctx}
      title={t('appointments.new.type')}
      back={
        o.agenda === 'external'
          ? { href: '/appointments/new', label: t('appointments.new.backOrganisation') }
          : { href: withQuery('/appointments/new/staff', { org: o.id }), label: t('appointments.new.backStaff') }
      }
    >
      <EmergencyNotice ctx={ctx} organisations={[o]} />
      <Step ctx={ctx} n={stepNo(o, 3)} total={totalSteps(o)} />
      <Text
        text={
          staff
            ? t('appointments.new.withStaff', { organisation: o.name, staff: staff.name })
            : t('appointments.new.withAnyone', { organisation: o.name })
        }
      />
      {types.length === 0 ? (
        <EmptyState text={t('appointments.new.noTypes')} />
      ) : (
        <CardList class="koepel-choices">
          {types.map((type) => (
            <Card
              id={`type-${type.id}`}
              level={2}
              title={type.name}
              titleLang={providerLang(ctx)}
              href={withQuery('/appointments/new/time', { org: o.id, staff: staffParam, type: type.id })}
            >
              <Text style="small" text={t('appointments.minutes', { count: type.durationMinutes })} />
              {type.video ? <Text style="small" text={t('appointments.new.video')} /> : ''}
            </Card>
          ))}
        </CardList>
      )}
    </Page>
  );
}

/** The week's days (Monday first) and one day's free times as buttons. */
export function ChooseTimePage(props: {
  ctx: PageContext;
  title: string;
  intro: string;
  step: { n: number; total: number } | null;
  organisation: BookableOrganisation;
  week: WeekOfTimes;
  day: string | null;
  /** The page itself (week and day links go here with week= and day=). */
  base: string;
  baseParams: Record<string, string | null | undefined>;
  /** Where a chosen time goes (GET), with these hidden fields. */
  action: string;
  hidden: Record<string, string | null | undefined>;
  back: { href: string; label: string };
  message?: string;
}): JSX.Element {
  const { ctx, week } = props;
  const { t } = ctx;
  const withTimes = week.days.filter((d) => d.choices.length > 0);
  const selected = week.days.find((d) => d.date === props.day && d.choices.length > 0) ?? withTimes[0] ?? null;
  const link = (params: Record<string, string>) => withQuery(props.base, { ...props.baseParams, ...params });
  const errors: FieldError[] = props.message ? [{ field: 'times-title', message: props.message }] : [];
  return (
    <Page ctx={ctx} title={props.title} back={props.back} errors={errors}>
      <EmergencyNotice ctx={ctx} organisations={[props.organisation]} />
      {props.message ? <Alert kind="error" text={props.message} /> : ''}
      {props.step ? <Step ctx={ctx} n={props.step.n} total={props.step.total} /> : ''}
      <Text text={props.intro} />
      <nav class="koepel-week-nav" aria-label={t('appointments.time.weekNav')}>
        {week.previous ? (
          <Link href={link({ week: week.previous })} text={t('appointments.time.previousWeek')} />
        ) : (
          <span />
        )}
        <span class="koepel-week-range" safe>
          {t('appointments.time.week', {
            from: shortDay(ctx.lang, week.monday),
            to: shortDay(ctx.lang, week.days[6]?.date ?? week.monday),
          })}
        </span>
        {week.next ? <Link href={link({ week: week.next })} text={t('appointments.time.nextWeek')} /> : <span />}
      </nav>
      <Heading level={2} id="days-title" text={t('appointments.time.days')} />
      <ul class="koepel-days" aria-labelledby="days-title">
        {week.days.map((d) => (
          <li class={d.date === selected?.date ? 'koepel-day koepel-day--selected' : 'koepel-day'}>
            {d.choices.length > 0 ? (
              <Link href={link({ week: week.monday, day: d.date })} current={d.date === selected?.date}>
                <span class="koepel-day-name" safe>
                  {shortDay(ctx.lang, d.date)}
                </span>
                <span class="koepel-day-count" safe>
                  {t('appointments.time.free', { count: d.choices.length })}
                </span>
              </Link>
            ) : (
              <span class="koepel-day-empty">
                <span class="koepel-day-name" safe>
                  {shortDay(ctx.lang, d.date)}
                </span>
                <span class="koepel-day-count" safe>
                  {t('appointments.time.none')}
                </span>
              </span>
            )}
          </li>
        ))}
      </ul>
      {selected ? (
        <section class="koepel-section" aria-labelledby="times-title">
          <Heading level={2} id="times-title" text={longDay(ctx.lang, selected.date)} />
          <Form ctx={ctx} method="get" action={props.action} label={t('appointments.time.formLabel')}>
            {Object.entries({ ...props.hidden, day: selected.date }).map(([name, value]) =>
              value ? <HiddenField name={name} value={value} /> : '',
            )}
            <ul class="koepel-times">
              {selected.choices.map((c) => (
                <li>
                  <Button
                    style="secondary"
                    name={c.slotId ? 'slot' : 'time'}
                    value={c.slotId ?? c.time}
                    label={`${longDay(ctx.lang, c.day)} ${c.time}${c.actor ? `, ${c.actor}` : ''}`}
                    text={c.time}
                  />
                </li>
              ))}
            </ul>
          </Form>
        </section>
      ) : (
        <EmptyState text={week.next ? t('appointments.time.noneThisWeek') : t('appointments.time.noneAtAll')} />
      )}
    </Page>
  );
}

export interface Selection {
  organisation: BookableOrganisation;
  staff: AgendaStaff | null;
  type: AppointmentType;
  choice: Choice;
  params: FlowParams;
}

function selectionItems(ctx: PageContext, s: Selection): SummaryItem[] {
  const { t } = ctx;
  const who = s.choice.actor ?? s.staff?.name ?? t('appointments.new.anyone');
  return [
    { label: t('appointments.field.organisation'), text: s.organisation.name },
    {
      label: t('appointments.field.where'),
      text: s.type.video ? t('appointments.video') : s.organisation.address,
    },
    { label: t('appointments.field.staff'), text: who },
    {
      label: t('appointments.field.type'),
      html: (
        <span>
          <ProviderText ctx={ctx} text={s.type.name} />
          <span safe>{` (${t('appointments.minutes', { count: s.type.durationMinutes })})`}</span>
        </span>
      ),
    },
    { label: t('appointments.field.when'), html: <When ctx={ctx} start={s.choice.start} end={s.choice.end} /> },
  ];
}

export interface DetailsValues {
  reason: string;
  /** 'none' or minutes. */
  reminder: string;
}

function ReminderChoices(props: { ctx: PageContext; checked: string; error?: string | undefined }) {
  const { t } = props.ctx;
  return (
    <Choices
      type="radio"
      idPrefix="reminder"
      name="reminder"
      legend={t('appointments.reminder.legend')}
      hint={t('appointments.reminder.hint')}
      error={props.error}
      checked={[props.checked]}
      options={[
        { value: 'none', label: t('appointments.reminder.none') },
        ...REMINDER_CHOICES.map((m) => ({ value: String(m), label: reminderText(t, m) })),
      ]}
    />
  );
}

export function DetailsPage(props: {
  ctx: PageContext;
  selection: Selection;
  values: DetailsValues;
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, selection: s, values } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const error = (f: string) => errors.find((e) => e.field === f)?.message;
  const o = s.organisation;
  return (
    <Page
      ctx={ctx}
      title={t('appointments.details.title')}
      back={{
        href: withQuery('/appointments/new/time', { ...flowQuery(s.params), time: null, slot: null }),
        label: t('appointments.new.backTime'),
      }}
      errors={errors}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      <EmergencyNotice ctx={ctx} organisations={[o]} />
      <Step ctx={ctx} n={stepNo(o, 5)} total={totalSteps(o)} />
      <SummaryList items={selectionItems(ctx, s)} class="koepel-facts" />
      <Form ctx={ctx} action="/appointments/new/confirm" novalidate>
        <FlowFields params={s.params} />
        <TextArea
          id="reason"
          name="reason"
          maxLength={REASON_MAX}
          label={t('appointments.details.reason')}
          hint={t('appointments.details.reasonHint', { max: REASON_MAX, organisation: o.name })}
          value={values.reason}
          error={error('reason')}
        />
        <ReminderChoices ctx={ctx} checked={values.reminder} error={error('reminder-none')} />
        <Button text={t('appointments.details.next')} />
      </Form>
    </Page>
  );
}

export function ConfirmPage(props: {
  ctx: PageContext;
  selection: Selection;
  values: DetailsValues;
  idempotencyKey: string;
}): JSX.Element {
  const { ctx, selection: s, values } = props;
  const { t } = ctx;
  const o = s.organisation;
  const reminder = values.reminder === 'none' ? null : Number(values.reminder);
  return (
    <Page
      ctx={ctx}
      title={t('appointments.confirm.title')}
      back={{
        href: withQuery('/appointments/new/time', { ...flowQuery(s.params), time: null, slot: null }),
        label: t('appointments.new.backTime'),
      }}
    >
      <EmergencyNotice ctx={ctx} organisations={[o]} />
      <Step ctx={ctx} n={stepNo(o, 6)} total={totalSteps(o)} />
      <SummaryList
        class="koepel-facts"
        items={[
          ...selectionItems(ctx, s),
          {
            label: t('appointments.field.reason'),
            text: values.reason.trim() === '' ? t('appointments.noReason') : values.reason,
          },
          { label: t('appointments.field.reminder'), text: reminderText(t, reminder) },
        ]}
      />
      {o.agenda === 'external' ? <Text text={t('appointments.confirm.external', { organisation: o.name })} /> : ''}
      <Form ctx={ctx} action="/appointments" novalidate>
        <FlowFields params={s.params} />
        <HiddenField name="reason" value={values.reason} />
        <HiddenField name="reminder" value={values.reminder} />
        <HiddenField name="key" value={props.idempotencyKey} />
        <Button text={o.agenda === 'external' ? t('appointments.confirm.request') : t('appointments.confirm.book')} />
      </Form>
      <Form ctx={ctx} action="/appointments/new/details" novalidate>
        <FlowFields params={s.params} />
        <HiddenField name="reason" value={values.reason} />
        <HiddenField name="reminder" value={values.reminder} />
        <Button style="secondary" text={t('appointments.confirm.edit')} />
      </Form>
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// One appointment
// ---------------------------------------------------------------------------------------------------------------

export type AppointmentNotice = 'made' | 'requested' | 'changed' | 'reminder';

/** Can the citizen still change or cancel it online, and is it still ahead? */
export function changeState(a: CitizenAppointment, now: Date): 'open' | 'too-late' | 'over' {
  if ((a.status !== 'booked' && a.status !== 'requested') || a.end.getTime() <= now.getTime()) return 'over';
  return now.getTime() <= a.changeUntil.getTime() ? 'open' : 'too-late';
}

const ruleHours = (a: CitizenAppointment) => Math.round((a.start.getTime() - a.changeUntil.getTime()) / 3_600_000);

export function AppointmentPage(props: {
  ctx: PageContext;
  appointment: CitizenAppointment & { reason: string | null };
  now: Date;
  notice: AppointmentNotice | null;
  error?: string;
  /** The citizen's private notes about it (issue 13, src/private-notes). */
  notes?: JSX.Element;
}): JSX.Element {
  const { ctx, appointment: a, now } = props;
  const { t } = ctx;
  const state = changeState(a, now);
  const by = byStaffText(t, a);
  const items: SummaryItem[] = [
    { label: t('appointments.field.organisation'), text: a.organisationName },
    { label: t('appointments.field.where'), text: a.video ? t('appointments.video') : a.address },
    ...(a.staffName ? [{ label: t('appointments.field.staff'), text: a.staffName }] : []),
    { label: t('appointments.field.type'), html: <ProviderText ctx={ctx} text={a.typeName} /> },
    { label: t('appointments.field.when'), html: <When ctx={ctx} start={a.start} end={a.end} /> },
    {
      label: t('appointments.field.status'),
      html: (
        <span>
          <span class={`koepel-status koepel-status--${a.status}`} safe>
            {statusText(t, a.status)}
          </span>
          {by ? <span safe>{` (${by})`}</span> : ''}
        </span>
      ),
    },
    {
      label: t('appointments.field.reason'),
      html: (
        <span class="koepel-user-text" safe>
          {a.reason ?? t('appointments.noReason')}
        </span>
      ),
    },
    { label: t('appointments.field.reminder'), text: reminderText(t, a.reminderMinutes) },
  ];
  const notices: Record<AppointmentNotice, string> = {
    made: t('appointments.notice.made'),
    requested: t('appointments.notice.requested'),
    changed: t('appointments.notice.changed'),
    reminder: t('appointments.notice.reminder'),
  };
  return (
    <Page
      ctx={ctx}
      title={t('appointments.one.title', { organisation: a.organisationName })}
      back={{ href: '/appointments', label: t('appointments.back') }}
    >
      {props.notice ? <Alert kind="ok" text={notices[props.notice]} /> : ''}
      {props.error ? <Alert kind="error" text={props.error} /> : ''}
      <SummaryList items={items} class="koepel-facts" />
      {a.status === 'requested' ? <Text text={t('appointments.one.requestedExplain')} /> : ''}
      <List plain class="koepel-appointment-links">
        {a.video && state !== 'over' && a.status === 'booked' ? (
          <li>
            <Link href={`/video/${a.id}`} text={t('appointments.one.video')} />
          </li>
        ) : (
          ''
        )}
        <li>
          <Link href={`/appointments/${a.id}/afspraak.ics`} download="afspraak.ics" text={t('appointments.one.ics')} />
        </li>
      </List>
      {state !== 'over' ? (
        <Section id="change-title" title={t('appointments.one.change')}>
          <Text text={t('appointments.one.rule', { hours: ruleHours(a) })} />
          {state === 'open' ? (
            <ButtonGroup>
              {a.staffId !== null && a.status === 'booked' ? (
                <ButtonLink href={`/appointments/${a.id}/change`} text={t('appointments.one.move')} />
              ) : (
                ''
              )}
              <ButtonLink href={`/appointments/${a.id}/cancel`} style="secondary" text={t('appointments.one.cancel')} />
            </ButtonGroup>
          ) : (
            <Paragraph>
              <span safe>{t('appointments.one.tooLate', { organisation: a.organisationName })}</span>{' '}
              {a.organisationPhone ? <PhoneLink phone={a.organisationPhone} /> : ''}
            </Paragraph>
          )}
          {state === 'open' && a.staffId === null ? <Text text={t('appointments.one.moveExternal')} /> : ''}
        </Section>
      ) : (
        ''
      )}
      {state !== 'over' ? (
        <Section id="reminder-title" title={t('appointments.reminder.title')}>
          <Form ctx={ctx} action={`/appointments/${a.id}/reminder`} novalidate>
            <ReminderChoices ctx={ctx} checked={a.reminderMinutes === null ? 'none' : String(a.reminderMinutes)} />
            <Button style="secondary" text={t('appointments.reminder.save')} />
          </Form>
        </Section>
      ) : (
        ''
      )}
      {render(props.notes)}
    </Page>
  );
}

export function MoveConfirmPage(props: {
  ctx: PageContext;
  appointment: CitizenAppointment;
  choice: Choice;
}): JSX.Element {
  const { ctx, appointment: a, choice } = props;
  const { t } = ctx;
  return (
    <Page
      ctx={ctx}
      title={t('appointments.move.confirmTitle')}
      back={{ href: `/appointments/${a.id}/change`, label: t('appointments.new.backTime') }}
    >
      <SummaryList
        class="koepel-facts"
        items={[
          { label: t('appointments.field.organisation'), text: a.organisationName },
          ...(a.staffName ? [{ label: t('appointments.field.staff'), text: a.staffName }] : []),
          { label: t('appointments.field.type'), html: <ProviderText ctx={ctx} text={a.typeName} /> },
          { label: t('appointments.move.old'), html: <When ctx={ctx} start={a.start} end={a.end} /> },
          { label: t('appointments.move.new'), html: <When ctx={ctx} start={choice.start} end={choice.end} /> },
        ]}
      />
      <Form ctx={ctx} action={`/appointments/${a.id}/move`} novalidate>
        <HiddenField name="day" value={choice.day} />
        <HiddenField name="time" value={choice.time} />
        <Button text={t('appointments.move.submit')} />
      </Form>
      <Paragraph>
        <Link href={`/appointments/${a.id}`} text={t('appointments.move.keep')} />
      </Paragraph>
    </Page>
  );
}

export function CancelConfirmPage(props: { ctx: PageContext; appointment: CitizenAppointment }): JSX.Element {
  const { ctx, appointment: a } = props;
  const { t } = ctx;
  return (
    <Page
      ctx={ctx}
      title={t('appointments.cancel.title')}
      back={{ href: `/appointments/${a.id}`, label: t('appointments.cancel.back') }}
    >
      <SummaryList
        class="koepel-facts"
        items={[
          { label: t('appointments.field.organisation'), text: a.organisationName },
          ...(a.staffName ? [{ label: t('appointments.field.staff'), text: a.staffName }] : []),
          { label: t('appointments.field.type'), html: <ProviderText ctx={ctx} text={a.typeName} /> },
          { label: t('appointments.field.when'), html: <When ctx={ctx} start={a.start} end={a.end} /> },
        ]}
      />
      <Text text={t('appointments.cancel.explain')} />
      <Form ctx={ctx} action={`/appointments/${a.id}/cancel`} novalidate>
        <ButtonGroup>
          <Button text={t('appointments.cancel.submit')} />
        </ButtonGroup>
      </Form>
      <Paragraph>
        <Link href={`/appointments/${a.id}`} text={t('appointments.cancel.keep')} />
      </Paragraph>
    </Page>
  );
}
