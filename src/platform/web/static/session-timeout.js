// The session-timeout warning (WCAG 2.2.1 Timing Adjustable; src/platform/session/timeout.ts). Progressive
// enhancement: without this script every page works, the session simply ends after 15 minutes idle.
// - Two minutes before the idle limit, the dialog in the page (layout.tsx, SessionDialog) opens: "Blijf ingelogd"
//   starts the idle limit again on the server (POST /session/extend), "Uitloggen" logs out. Before it opens, the
//   server is asked how long is left (GET /session/status, which does not count as a visit): another tab may have
//   kept the session alive. Near the absolute limit the dialog says it cannot be extended.
// - When the session has ended, the dialog says so and offers to log in again, back to this page.
// - Typed text survives the end of a session: as it is typed, the page's form fields are encrypted with AES-GCM under
//   a key that only a page of the same person's session carries (data-draft-key), and kept in this tab's
//   sessionStorage (at most an hour). The next page drops them — unless the session ended (the dialog here, or the
//   "session ended" page after a form was sent too late): then, after the new login, on the same page, they are put
//   back. Another person's page cannot decrypt them and drops them. Nothing is sent to the server, written to a log or
//   put in a URL. Password, file, hidden and one-time-code fields are never kept.
/* global document, window, sessionStorage, HTMLFormElement, URL, fetch, crypto, TextEncoder, TextDecoder, atob, btoa, setTimeout, clearTimeout, location */
'use strict';

(function () {
  const DRAFT = 'koepel-form-draft';
  const DRAFT_MAX_AGE_MS = 60 * 60 * 1000;
  const dialog = document.getElementById('koepel-session-dialog');
  const ended = document.body.dataset.sessionEnded === 'true';

  // ----- typed text kept over a new login -----
  const b64 = {
    encode: (bytes) => btoa(String.fromCharCode.apply(null, Array.from(new Uint8Array(bytes)))),
    decode: (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0)),
  };
  const keyBytes = (value) => b64.decode(value.replace(/-/g, '+').replace(/_/g, '/'));
  const canEncrypt = () => !!(window.crypto && crypto.subtle && window.sessionStorage);
  const importKey = (value) =>
    crypto.subtle.importKey('raw', keyBytes(value), 'AES-GCM', false, ['encrypt', 'decrypt']);

  const readDraft = () => {
    try {
      const d = JSON.parse(sessionStorage.getItem(DRAFT) || 'null');
      if (d && Date.now() - d.at < DRAFT_MAX_AGE_MS) return d;
    } catch {
      /* unreadable: dropped below */
    }
    sessionStorage.removeItem(DRAFT);
    return null;
  };
  const writeDraft = (d) => sessionStorage.setItem(DRAFT, JSON.stringify(d));
  const dropDraft = () => sessionStorage.removeItem(DRAFT);

  /** The fields a person typed in: text, choices; never passwords, files, hidden or one-time codes. */
  const keptFields = (form) =>
    Array.from(form.elements).filter(
      (e) =>
        e.name &&
        !e.disabled &&
        !['password', 'file', 'hidden', 'submit', 'button', 'reset'].includes(e.type) &&
        e.autocomplete !== 'one-time-code' &&
        !e.closest('[data-no-draft]'),
    );
  const formsOf = () =>
    Array.from(document.querySelectorAll('main form[method="post" i]')).filter((f) => keptFields(f).length > 0);

  /** The typed values of one form (its index on the page and its action tell it apart). */
  const snapshot = (form) => ({
    action: form.getAttribute('action') || '',
    index: formsOf().indexOf(form),
    fields: keptFields(form)
      .filter((e) => (e.type === 'checkbox' || e.type === 'radio' ? e.checked : e.value !== ''))
      .map((e) => [e.name, e.value, e.type]),
  });

  /** Encrypts the forms' typed text under the page's key; state 'sent' (a form went out) or 'ended'. */
  async function keepDraft(forms, state) {
    const key = dialog && dialog.dataset.draftKey;
    if (!key || !canEncrypt()) return false;
    const snaps = forms.map(snapshot).filter((s) => s.fields.length > 0);
    if (snaps.length === 0) return false;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = new TextEncoder().encode(JSON.stringify(snaps));
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await importKey(key), plain);
    writeDraft({ path: location.pathname, at: Date.now(), state, iv: b64.encode(iv), data: b64.encode(sealed) });
    return true;
  }

  async function restoreDraft(draft) {
    const key = dialog && dialog.dataset.draftKey;
    if (!key || !canEncrypt()) return;
    let snaps;
    try {
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: b64.decode(draft.iv) },
        await importKey(key),
        b64.decode(draft.data),
      );
      snaps = JSON.parse(new TextDecoder().decode(plain));
    } catch {
      return; // another person's (or another day's) key: not theirs to read
    } finally {
      dropDraft();
    }
    const forms = formsOf();
    let restored = 0;
    for (const snap of snaps) {
      const form =
        forms.find((f, i) => i === snap.index && (f.getAttribute('action') || '') === snap.action) ||
        forms.find((f) => (f.getAttribute('action') || '') === snap.action);
      if (!form) continue;
      for (const [name, value, type] of snap.fields) {
        for (const e of keptFields(form).filter((x) => x.name === name)) {
          if (type === 'checkbox' || type === 'radio') {
            if (e.value === value) e.checked = true;
          } else if (e.value === '' || e.tagName === 'SELECT') {
            e.value = value;
            restored++;
          }
        }
      }
    }
    if (restored > 0) announceRestored();
  }

  function announceRestored() {
    const template = document.getElementById('koepel-draft-restored');
    const main = document.getElementById('main');
    if (!template || !main) return;
    const alert = template.content.firstElementChild.cloneNode(true);
    main.insertBefore(alert, main.firstChild);
    alert.focus();
  }

  // The typed text is kept (encrypted) as it is typed, so that a form sent after the session ended finds it kept:
  // encryption is asynchronous and a form's submission is not. On sending, it is marked 'sent'; the next page
  // decides: the "session ended" page keeps it for the new login, any other page drops it.
  const inKeptForm = (e) => !!(e.target && e.target.form && formsOf().includes(e.target.form));
  const keepTyping = (e) => {
    if (dialog && dialog.dataset.draftKey && canEncrypt() && inKeptForm(e))
      keepDraft(formsOf(), 'typing').catch(() => false);
  };
  document.addEventListener('input', keepTyping);
  document.addEventListener('change', keepTyping);
  document.addEventListener('submit', () => {
    const d = canEncrypt() ? readDraft() : null;
    if (d && d.state === 'typing' && d.path === location.pathname) writeDraft({ ...d, state: 'sent' });
  });

  const draft = canEncrypt() ? readDraft() : null;
  if (draft) {
    if (ended && draft.state === 'sent') {
      // The form went out after the session had ended: keep it for the new login, and log in back to its page.
      writeDraft({ ...draft, state: 'ended' });
      const login = document.getElementById('koepel-login-again');
      if (login) {
        const url = new URL(login.href, location.href);
        url.searchParams.set('return', draft.path);
        login.href = url.pathname + url.search;
      }
    } else if (draft.state === 'ended') {
      // Put back on its own page, by the same person's page (another person's cannot decrypt it, and drops it).
      if (dialog && draft.path === location.pathname) restoreDraft(draft);
    } else {
      // Sent and answered (the form went through, or came back with its text in it); or typed and left.
      dropDraft();
    }
  }

  // ----- the warning -----
  if (!dialog || typeof dialog.showModal !== 'function') return;
  const title = document.getElementById('koepel-session-title');
  const body = document.getElementById('koepel-session-body');
  const extendForm = dialog.querySelector('[data-session-extend]');
  const logoutForm = dialog.querySelector('[data-session-logout]');
  const closeButton = dialog.querySelector('[data-session-close]');
  const loginLink = dialog.querySelector('[data-session-login]');
  const csrf = extendForm.querySelector('input[name="_csrf"]').value;
  const warnMs = Number(dialog.dataset.warnMs);
  const lang = document.documentElement.lang || 'nl';
  let timer = null;
  let returnFocus = null;
  let endsAt = Date.now() + Number(dialog.dataset.idleRemainingMs);
  let absoluteAt = Date.now() + Number(dialog.dataset.absoluteRemainingMs);

  const clock = (at) => new Date(at).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
  const schedule = (fn, at) => {
    clearTimeout(timer);
    timer = setTimeout(fn, Math.max(0, at - Date.now()));
  };
  const end = () => Math.min(endsAt, absoluteAt);

  async function status() {
    try {
      const r = await fetch('/session/status', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!r.ok) return null;
      return await r.json();
    } catch {
      return null; // offline: go by this page's own clock
    }
  }
  const learn = (s) => {
    endsAt = Date.now() + s.idleRemainingMs;
    absoluteAt = Date.now() + s.absoluteRemainingMs;
  };

  function show(kind) {
    title.textContent = dialog.dataset[`title${kind}`];
    body.textContent = dialog.dataset[`text${kind}`].replace('{time}', clock(end()));
    extendForm.hidden = kind !== 'Warn';
    logoutForm.hidden = kind === 'Ended';
    closeButton.hidden = kind !== 'Absolute' && kind !== 'Ended';
    loginLink.hidden = kind !== 'Ended';
    if (!dialog.open) {
      returnFocus = document.activeElement;
      dialog.showModal();
    }
    const first = kind === 'Warn' ? extendForm.querySelector('button') : kind === 'Ended' ? loginLink : closeButton;
    first.focus();
  }
  function close() {
    if (dialog.open) dialog.close();
    if (returnFocus && typeof returnFocus.focus === 'function') returnFocus.focus();
    returnFocus = null;
  }

  async function check() {
    const s = await status();
    if (s && !s.active) return ended_();
    if (s) learn(s);
    const left = end() - Date.now();
    if (left <= 0) return ended_();
    if (left > warnMs + 1000) {
      // Someone was active in another tab: not yet.
      if (dialog.open) close();
      return schedule(check, end() - warnMs);
    }
    show(absoluteAt <= endsAt ? 'Absolute' : 'Warn');
    schedule(check, end() + 500);
  }

  async function ended_() {
    clearTimeout(timer);
    const kept = await keepDraft(formsOf(), 'ended').catch(() => false);
    const url = new URL(loginLink.href, location.href);
    url.searchParams.set('return', location.pathname);
    loginLink.href = url.pathname + url.search;
    show('Ended');
    if (kept) body.textContent = `${body.textContent} ${dialog.dataset.textKept}`;
  }

  extendForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const r = await fetch('/session/extend', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRF-Token': csrf, Accept: 'application/json' },
      });
      if (!r.ok) return ended_();
      learn(await r.json());
      close();
      schedule(check, end() - warnMs);
    } catch {
      // Offline: the plain form tries instead (it reloads this page).
      HTMLFormElement.prototype.submit.call(extendForm);
    }
  });
  closeButton.addEventListener('click', close);

  // Back to this tab (or a laptop woken up, whose timers ran late): ask again at once.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && loginLink.hidden) check(); // not once it has ended
  });

  schedule(check, end() - warnMs);
})();
