// Pages of the citizen's private notes (issue 13, LU-3): the list, one note, the form (new and edit), the delete
// confirmation, and the small "your notes" section that an appointment or a result page shows to its citizen.
import { formatDate } from '../platform/i18n/format.js';
import type { PageContext } from '../platform/web/context.js';
import {
  Alert,
  Button,
  ButtonGroup,
  ButtonLink,
  Card,
  CardList,
  Choices,
  EmptyState,
  ErrorSummary,
  Form,
  HiddenField,
  Link,
  Page,
  Paragraph,
  Section,
  SummaryList,
  Text,
  TextArea,
  type FieldError,
  type SummaryItem,
} from '../platform/web/components/index.js';
import { NOTE_MAX, type LinkTarget, type NoteLink, type PrivateNote } from './notes.js';

export type NoteNotice = 'saved' | 'updated' | 'deleted';

function When(props: { ctx: PageContext; at: Date; withTime?: boolean }): JSX.Element {
  return (
    <time datetime={props.at.toISOString()} safe>
      {formatDate(props.ctx.lang, props.at, props.withTime === false ? 'date' : 'dateTime')}
    </time>
  );
}

/** Where a link goes on the citizen's own pages. */
export function linkHref(link: { kind: 'appointment' | 'record'; id: string }, category?: string | null): string {
  if (link.kind === 'appointment') return `/appointments/${link.id}`;
  if (category === 'lab') return `/dossier/lab/${link.id}`;
  if (category === 'documents') return `/dossier/documents/${link.id}`;
  return '/dossier';
}

/** What a note is about, in words. */
export function linkText(ctx: PageContext, target: LinkTarget): string {
  const { t } = ctx;
  if (!target.available) return t('notes.link.gone');
  const organisation = target.organisationName ?? '';
  const date = target.at ? formatDate(ctx.lang, target.at, target.kind === 'appointment' ? 'dateTime' : 'date') : '';
  if (target.kind === 'appointment') {
    return t('notes.link.appointment', { label: target.label ?? '', organisation, date });
  }
  const label =
    target.label === 'lab'
      ? t('notes.category.lab')
      : target.label === 'documents'
        ? t('notes.category.documents')
        : t('notes.category.other');
  return target.at
    ? t('notes.link.record', { label, organisation, date })
    : t('notes.link.recordNoDate', { label, organisation });
}

function LinkTo(props: { ctx: PageContext; target: LinkTarget }): JSX.Element {
  const { ctx, target } = props;
  if (!target.available) return <span safe>{linkText(ctx, target)}</span>;
  return <Link href={linkHref(target, target.label)} text={linkText(ctx, target)} />;
}

/** The first lines of a note, for the list. */
function excerpt(text: string): string {
  const chars = Array.from(text);
  return chars.length > 240 ? `${chars.slice(0, 240).join('').trimEnd()}…` : text;
}

const NOTICE_KEYS = { saved: 'notes.saved', updated: 'notes.updatedNotice', deleted: 'notes.deleted' } as const;

export function NotesPage(props: {
  ctx: PageContext;
  notes: readonly PrivateNote[];
  targets: ReadonlyMap<string, LinkTarget>;
  notice: NoteNotice | null;
}): JSX.Element {
  const { ctx, notes } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('notes.title')} back={{ href: '/home', label: t('notes.backHome') }}>
      {props.notice ? <Alert kind="ok" class="koepel-notice" text={t(NOTICE_KEYS[props.notice])} /> : ''}
      <Text style="intro" text={t('notes.intro')} />
      <ButtonGroup>
        <ButtonLink href="/notes/new" text={t('notes.new')} />
      </ButtonGroup>
      {notes.length === 0 ? (
        <EmptyState text={t('notes.none')} />
      ) : (
        <CardList class="koepel-notes">
          {notes.map((n) => {
            const target = n.link ? props.targets.get(n.link.id) : undefined;
            return (
              <Card
                id={`note-${n.id}`}
                level={2}
                href={`/notes/${n.id}`}
                title={t('notes.open', { date: formatDate(ctx.lang, n.createdAt, 'dateTime') })}
              >
                <div class="koepel-note-text" safe>
                  {excerpt(n.text)}
                </div>
                {target ? (
                  <Paragraph style="small">
                    <span safe>{`${t('notes.about')}: `}</span>
                    <LinkTo ctx={ctx} target={target} />
                  </Paragraph>
                ) : (
                  ''
                )}
                {n.updatedAt.getTime() - n.createdAt.getTime() > 1000 ? (
                  <Text
                    style="small"
                    text={t('notes.changed', { date: formatDate(ctx.lang, n.updatedAt, 'dateTime') })}
                  />
                ) : (
                  ''
                )}
              </Card>
            );
          })}
        </CardList>
      )}
    </Page>
  );
}

export function NotePage(props: {
  ctx: PageContext;
  note: PrivateNote;
  target: LinkTarget | null;
  notice: NoteNotice | null;
}): JSX.Element {
  const { ctx, note: n, target } = props;
  const { t } = ctx;
  const items: SummaryItem[] = [
    { label: t('notes.written'), html: <When ctx={ctx} at={n.createdAt} /> },
    { label: t('notes.updated'), html: <When ctx={ctx} at={n.updatedAt} /> },
    target
      ? { label: t('notes.about'), html: <LinkTo ctx={ctx} target={target} /> }
      : { label: t('notes.about'), text: t('notes.aboutNothing') },
  ];
  return (
    <Page
      ctx={ctx}
      title={t('notes.open', { date: formatDate(ctx.lang, n.createdAt, 'dateTime') })}
      back={{ href: '/notes', label: t('notes.back') }}
    >
      {props.notice ? <Alert kind="ok" class="koepel-notice" text={t(NOTICE_KEYS[props.notice])} /> : ''}
      <Text style="small" text={t('notes.private')} />
      <div class="koepel-note-body" safe>
        {n.text}
      </div>
      <SummaryList items={items} class="koepel-facts" />
      <ButtonGroup>
        <ButtonLink href={`/notes/${n.id}/edit`} text={t('notes.edit')} />
        <ButtonLink href={`/notes/${n.id}/delete`} style="secondary" text={t('notes.delete')} />
      </ButtonGroup>
    </Page>
  );
}

export interface NoteFormValues {
  text: string;
  unlink: boolean;
}

/** The form of a new note (with its idempotency key and link) or of an existing one. */
export function NoteFormPage(props: {
  ctx: PageContext;
  mode: { kind: 'new'; key: string; link: NoteLink | null } | { kind: 'edit'; note: PrivateNote };
  target: LinkTarget | null;
  values: NoteFormValues;
  errors?: FieldError[];
}): JSX.Element {
  const { ctx, mode, target } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const isNew = mode.kind === 'new';
  const back = isNew ? (target ? linkHref(target, target.label) : '/notes') : `/notes/${mode.note.id}`;
  return (
    <Page
      ctx={ctx}
      title={isNew ? t('notes.form.newTitle') : t('notes.form.editTitle')}
      back={{ href: back, label: t('notes.form.cancel') }}
      errors={errors}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      {target ? (
        <Paragraph>
          <span safe>{`${t('notes.form.about')}: `}</span>
          <LinkTo ctx={ctx} target={target} />
        </Paragraph>
      ) : (
        ''
      )}
      <Form ctx={ctx} action={isNew ? '/notes' : `/notes/${mode.note.id}`} novalidate>
        {mode.kind === 'new' ? <HiddenField name="key" value={mode.key} /> : ''}
        {mode.kind === 'new' && mode.link ? <HiddenField name={mode.link.kind} value={mode.link.id} /> : ''}
        <TextArea
          id="text"
          name="text"
          label={t('notes.form.text')}
          hint={t('notes.form.hint', { max: NOTE_MAX })}
          value={props.values.text}
          error={errors.find((e) => e.field === 'text')?.message}
          maxLength={NOTE_MAX}
          rows={8}
          required
        />
        {mode.kind === 'edit' && mode.note.link ? (
          <Choices
            type="checkbox"
            idPrefix="unlink"
            name="unlink"
            legend={t('notes.about')}
            options={[{ value: 'yes', label: t('notes.form.unlink') }]}
            checked={props.values.unlink ? ['yes'] : []}
          />
        ) : (
          ''
        )}
        <Button text={t('notes.form.save')} />
      </Form>
    </Page>
  );
}

export function DeleteNotePage(props: { ctx: PageContext; note: PrivateNote }): JSX.Element {
  const { ctx, note: n } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('notes.delete.title')} back={{ href: `/notes/${n.id}`, label: t('notes.delete.keep') }}>
      <Text text={t('notes.delete.explain')} />
      <div class="koepel-note-body" safe>
        {excerpt(n.text)}
      </div>
      <Form ctx={ctx} action={`/notes/${n.id}/delete`}>
        <ButtonGroup>
          <Button text={t('notes.delete.submit')} />
          <ButtonLink href={`/notes/${n.id}`} style="secondary" text={t('notes.delete.keep')} />
        </ButtonGroup>
      </Form>
    </Page>
  );
}

/**
 * "Your notes" on an appointment or result page: the citizen's notes linked there and a small link to add one.
 * Other capabilities render it (src/appointments, src/dossier) with what notesAbout() answered.
 */
export function NotesHere(props: { ctx: PageContext; link: NoteLink; notes: readonly PrivateNote[] }): JSX.Element {
  const { ctx, link, notes } = props;
  const { t } = ctx;
  const add = `/notes/new?${link.kind}=${encodeURIComponent(link.id)}`;
  return (
    <Section id="private-notes-title" title={t('notes.here.title')} class="koepel-notes-here">
      <Text style="small" text={t('notes.here.intro')} />
      {notes.length > 0 ? (
        <ul class="koepel-notes-here__list">
          {notes.map((n) => (
            <li>
              <div class="koepel-note-text" safe>
                {excerpt(n.text)}
              </div>
              <Paragraph style="small">
                <Link
                  href={`/notes/${n.id}`}
                  text={t('notes.open', { date: formatDate(ctx.lang, n.createdAt, 'dateTime') })}
                />
              </Paragraph>
            </li>
          ))}
        </ul>
      ) : (
        ''
      )}
      <Paragraph>
        <Link href={add} text={t('notes.here.add')} />
      </Paragraph>
    </Section>
  );
}
