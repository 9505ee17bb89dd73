// The DigiD button of the NL Design System: the DigiD logo beside the button that starts a login with DigiD. A GET
// form, so that it works without JavaScript and carries nothing but the way to the login.
import { attr } from './escape.js';

export function DigidButton(props: { action: string; text: string }): JSX.Element {
  return (
    <form method="get" action={attr(props.action)}>
      <div class="utrecht-digid-button">
        <img src="/assets/digid-logo.svg" alt="" width="48" height="48" />
        <button type="submit" class="utrecht-button utrecht-button--primary-action" safe>
          {props.text}
        </button>
      </div>
    </form>
  );
}
