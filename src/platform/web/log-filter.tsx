// The filter form of the pages that list audit records (the citizen's "Wie heeft mijn gegevens bekeken" and the
// privacy officer's log): its frame, a period and a choice of one. Field ids are filter-{name}: the pages' error
// messages link to them.
import {
  Button,
  Fieldset,
  Form,
  Link,
  render,
  Select,
  TextField,
  type Children,
  type Option,
} from './components/index.js';
import type { PageContext } from './context.js';

/** The path with the query, without a lone "?" when the query is empty. */
export function withQuery(path: string, q: URLSearchParams): string {
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The filter form: its fields under a legend, "apply", and a link back to the unfiltered list (`action`). */
export function LogFilter(props: {
  ctx: PageContext;
  method: 'get' | 'post';
  action: string;
  novalidate?: boolean;
  legend: string;
  submit: string;
  reset: string;
  /** Above the fields: what was chosen already. */
  intro?: JSX.Element;
  children: Children;
}): JSX.Element {
  return (
    <Form
      ctx={props.ctx}
      method={props.method}
      action={props.action}
      class="koepel-filter koepel-access-filter"
      novalidate={props.novalidate}
    >
      <Fieldset legend={props.legend}>
        {render(props.intro)}
        <div class="koepel-filter-fields">{render(props.children)}</div>
        <div class="koepel-filter-actions">
          <Button style="secondary" text={props.submit} />
          <Link href={props.action} text={props.reset} />
        </div>
      </Fieldset>
    </Form>
  );
}

/** A choice of one, with "all" (the empty value) first. */
export function FilterSelect(props: {
  name: string;
  label: string;
  all: string;
  options: readonly Option[];
  selected: string;
  error?: string | undefined;
}): JSX.Element {
  return (
    <Select
      id={`filter-${props.name}`}
      name={props.name}
      label={props.label}
      options={[{ value: '', label: props.all }, ...props.options]}
      selected={props.selected}
      error={props.error}
    />
  );
}

type PeriodText = { from: string; to: string };

/** The period's two date fields, as the visitor typed them (`values`), each with its error if any. */
export function PeriodFields(props: {
  labels: PeriodText;
  values: PeriodText;
  errors: Partial<PeriodText>;
}): JSX.Element {
  return (
    <>
      {(['from', 'to'] as const).map((name) => (
        <TextField
          id={`filter-${name}`}
          name={name}
          type="date"
          label={props.labels[name]}
          value={props.values[name]}
          error={props.errors[name]}
        />
      ))}
    </>
  );
}
