// A group of form fields under one legend (e.g. the fields of a filter). For a group of checkboxes or radio buttons,
// use Choices.
import { render, type Children } from './children.js';

export function Fieldset(props: { legend: string; class?: string; children: Children }): JSX.Element {
  return (
    <fieldset
      class={`utrecht-form-fieldset utrecht-form-fieldset--html-fieldset${props.class ? ` ${props.class}` : ''}`}
    >
      <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend" safe>
        {props.legend}
      </legend>
      {render(props.children)}
    </fieldset>
  );
}
